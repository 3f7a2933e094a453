using System.Reflection;
using System.Runtime.Versioning;

namespace Sandbox.AppHost;

/// <summary>Where a referenced project's dll is after the AppHost's build: same configuration and target framework as the AppHost.</summary>
public static class BuiltOutput
{
    public static string Configuration { get; } =
        typeof(BuiltOutput).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    // The AppHost's own, not the process's: under a test host the entry assembly targets another framework.
    public static string TargetFramework { get; } =
        $"net{new FrameworkName(typeof(BuiltOutput).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName).Version.ToString(2)}";

    public static string Of(string projectPath) =>
        Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", Configuration, TargetFramework, Path.GetFileNameWithoutExtension(projectPath) + ".dll");
}
