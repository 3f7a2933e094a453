using System.Diagnostics;

namespace Sandbox.AppHost;

/// <summary>
/// Asks the container engine itself (<c>docker info</c> / <c>podman info</c>), because a client binary on PATH
/// proves nothing: CI machines have a docker client and no engine. <paramref name="searchPath"/> stands in for PATH.
/// </summary>
public sealed class ContainerRuntimeProbe(string? preferredRuntime, string? searchPath = null) : IContainerRuntimeProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public ContainerRuntimeAnswer Probe()
    {
        string[] candidates = string.IsNullOrWhiteSpace(preferredRuntime) ? ["docker", "podman"] : [preferredRuntime];
        var failures = new List<string>();
        foreach (var runtime in candidates)
        {
            var (answered, detail) = Ask(runtime);
            if (answered)
            {
                return new ContainerRuntimeAnswer(true, detail, runtime);
            }

            failures.Add(detail);
        }

        return new ContainerRuntimeAnswer(false, string.Join("; ", failures));
    }

    // Each engine names its version differently; asking Podman for Docker's field fails like an engine that is down.
    private static string VersionField(string runtime) => runtime == "podman" ? "{{.Version.Version}}" : "{{.ServerVersion}}";

    private (bool Answered, string Detail) Ask(string runtime)
    {
        if (ExecutableLocator.Find(runtime, searchPath) is not { } client)
        {
            return (false, $"{runtime}: not installed");
        }

        var start = new ProcessStartInfo(client, ["info", "--format", VersionField(runtime)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return (false, $"{runtime}: engine did not answer within {Timeout.TotalSeconds:0} s");
            }

            var version = output.GetAwaiter().GetResult().Trim();
            return process.ExitCode == 0 && version.Length > 0
                ? (true, $"the {runtime} engine answered (server {version})")
                : (false, $"{runtime}: client present, engine not reachable");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (false, $"{runtime}: {e.Message}");
        }
    }
}
