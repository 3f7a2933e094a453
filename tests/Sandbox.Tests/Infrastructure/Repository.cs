namespace Sandbox.Tests.Infrastructure;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sandbox.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Sandbox.sln above {AppContext.BaseDirectory}.");
    }
}
