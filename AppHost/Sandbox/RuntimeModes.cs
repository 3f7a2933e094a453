namespace Sandbox.AppHost;

public static class RuntimeModes
{
    public static readonly string[] AllowedValues = ["auto", "containers", "executables"];

    /// <summary>
    /// Turns the configured value into a mode, asking the container runtime only for <c>auto</c>; the engine is the
    /// client that answered then (<c>docker</c> or <c>podman</c>), null when nobody asked or nobody answered.
    /// </summary>
    public static (RuntimeMode Mode, string Reason, string? Engine) Resolve(string? configured, IContainerRuntimeProbe probe)
    {
        var value = string.IsNullOrWhiteSpace(configured) ? "auto" : configured.Trim().ToLowerInvariant();
        switch (value)
        {
            case "containers":
                return (RuntimeMode.Containers, "Sandbox:Runtime is 'containers'", null);
            case "executables":
                return (RuntimeMode.Executables, "Sandbox:Runtime is 'executables'", null);
            case "auto":
                var answer = probe.Probe();
                return answer.Answered
                    ? (RuntimeMode.Containers, $"Sandbox:Runtime is 'auto' and {answer.Detail}", answer.Runtime)
                    : (RuntimeMode.Executables, $"Sandbox:Runtime is 'auto' and no container runtime answered ({answer.Detail})", null);
            default:
                throw new SandboxSetupException(
                    $"Sandbox:Runtime '{configured}' is not a runtime mode; allowed values are {string.Join(", ", AllowedValues)}.");
        }
    }
}
