namespace Sandbox.Tests.Infrastructure;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class Repository
{
    // The SLO generator already finds the repository (Sandbox.sln upwards); the tests reference it anyway.
    public static string Root { get; } = SloRules.Generator.FindRepositoryRoot(AppContext.BaseDirectory);

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}
