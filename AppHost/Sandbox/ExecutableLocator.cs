namespace Sandbox.AppHost;

/// <summary>Finds binaries on PATH so a missing prerequisite is reported before anything starts.</summary>
public static class ExecutableLocator
{
    public static string? Find(string name, string? searchPath = null)
    {
        var path = searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }

    public static string Require(string name, string installHint) =>
        Find(name) ?? throw new SandboxSetupException($"'{name}' was not found on PATH; executables mode needs it: {installHint}.");
}
