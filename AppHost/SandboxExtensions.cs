using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sandbox.AppHost;

public static class SandboxExtensions
{
    /// <summary>
    /// Reads the <c>Sandbox</c> settings, chooses the runtime mode and arranges for the choice (and what it costs) to be
    /// logged at start. A setup problem ends the process with one line instead of a stack trace.
    /// </summary>
    public static SandboxSettings AddSandbox(this IDistributedApplicationBuilder builder, IContainerRuntimeProbe? probe = null)
    {
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is SandboxSetupException setupProblem)
            {
                Console.Error.WriteLine($"sandbox: {setupProblem.Message}");
                Environment.Exit(2);
            }
        };

        probe ??= new ContainerRuntimeProbe(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"]);
        var sandbox = SandboxSettings.Read(builder.Configuration, builder.AppHostDirectory, probe);
        Directory.CreateDirectory(sandbox.StateDirectory);

        builder.Services.AddSingleton(sandbox);
        builder.Services.AddHostedService<SandboxAddressBook>();
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sandbox");
            SandboxLog.RuntimeChosen(logger, sandbox.RuntimeName, sandbox.RuntimeReason, sandbox.StateDirectory);
            if (sandbox.Runtime == RuntimeMode.Executables)
            {
                SandboxLog.GrafanaSkipped(logger);
            }

            return Task.CompletedTask;
        });
        return sandbox;
    }
}

internal static partial class SandboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox runtime: {Runtime} ({Reason}); state directory {StateDirectory}")]
    public static partial void RuntimeChosen(ILogger logger, string runtime, string reason, string stateDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grafana skipped: it runs only as a container and executables mode has none. " +
        "Lost: the preloaded dashboards in dashboards/grafana. Still there: every metric, rule and alert in Prometheus, and the Aspire dashboard. " +
        "Run on a machine with Docker or Podman (Sandbox:Runtime=containers) to get Grafana.")]
    public static partial void GrafanaSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox is up. Addresses (also in {EndpointsFile}):\n{Table}")]
    public static partial void SandboxReady(ILogger logger, string endpointsFile, string table);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sandbox did not become healthy within {Timeout}; still waiting on: {Pending}. Check those resources' logs in the Aspire dashboard.")]
    public static partial void SandboxNotReady(ILogger logger, TimeSpan timeout, string pending);
}
