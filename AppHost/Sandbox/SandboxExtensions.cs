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
        if (sandbox.Runtime == RuntimeMode.Executables)
        {
            LeftoverServers.EnsureNone(sandbox.StateDirectory);
        }

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
