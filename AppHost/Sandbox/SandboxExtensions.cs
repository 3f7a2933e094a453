using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sandbox.AppHost;

public static class SandboxExtensions
{
    /// <summary>Aspire's setting for the container engine it drives (<c>docker</c> or <c>podman</c>).</summary>
    public const string ContainerRuntimeSetting = "ASPIRE_CONTAINER_RUNTIME";

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

        probe ??= new ContainerRuntimeProbe(builder.Configuration[ContainerRuntimeSetting]);
        var sandbox = SandboxSettings.Read(builder.Configuration, builder.AppHostDirectory, probe);
        // Aspire drives Docker unless told otherwise: a machine whose only answering engine is Podman says so here.
        if (sandbox.ContainerEngine is { } engine && string.IsNullOrEmpty(builder.Configuration[ContainerRuntimeSetting]))
        {
            builder.Configuration[ContainerRuntimeSetting] = engine;
        }
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
