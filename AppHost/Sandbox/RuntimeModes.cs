namespace Sandbox.AppHost;

public static class RuntimeModes
{
    public static readonly string[] AllowedValues = ["auto", "containers", "executables"];

    /// <summary>Turns the configured value into a mode, asking the container runtime only for <c>auto</c>.</summary>
    public static (RuntimeMode Mode, string Reason) Resolve(string? configured, IContainerRuntimeProbe probe)
    {
        var value = string.IsNullOrWhiteSpace(configured) ? "auto" : configured.Trim().ToLowerInvariant();
        switch (value)
        {
            case "containers":
                return (RuntimeMode.Containers, "Sandbox:Runtime is 'containers'");
            case "executables":
                return (RuntimeMode.Executables, "Sandbox:Runtime is 'executables'");
            case "auto":
                var answer = probe.Probe();
                return answer.Answered
                    ? (RuntimeMode.Containers, $"Sandbox:Runtime is 'auto' and {answer.Detail}")
                    : (RuntimeMode.Executables, $"Sandbox:Runtime is 'auto' and no container runtime answered ({answer.Detail})");
            default:
                throw new SandboxSetupException(
                    $"Sandbox:Runtime '{configured}' is not a runtime mode; allowed values are {string.Join(", ", AllowedValues)}.");
        }
    }
}
