using Microsoft.Extensions.Logging;

namespace Sandbox.AppHost;

internal static partial class SandboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox runtime: {Runtime} ({Reason}); state directory {StateDirectory}")]
    public static partial void RuntimeChosen(ILogger logger, string runtime, string reason, string stateDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grafana skipped: it runs only as a container and executables mode has none. " +
        "Its dashboards are shown as Prometheus graph views instead (links on the prometheus resource and in the address table below); " +
        "lost are Grafana's own panels (stats, heatmaps), variables and annotations. " +
        "Run on a machine with Docker or Podman (Sandbox:Runtime=containers) to get Grafana.")]
    public static partial void GrafanaSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox is up. Addresses (also in {EndpointsFile}):\n{Table}")]
    public static partial void SandboxReady(ILogger logger, string endpointsFile, string table);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sandbox did not become healthy within {Timeout}; still waiting on: {Pending}. Check those resources' logs in the Aspire dashboard.")]
    public static partial void SandboxNotReady(ILogger logger, TimeSpan timeout, string pending);
}
