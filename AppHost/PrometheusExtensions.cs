using System.Globalization;
using System.Text;

namespace Sandbox.AppHost;

/// <summary>Prometheus as the sandbox runs it, whichever the runtime mode.</summary>
public interface ISandboxPrometheusResource : IResourceWithEndpoints, IResourceWithWaitSupport, IResourceWithArgs, IResourceWithEnvironment
{
    PrometheusLayout Layout { get; }
}

/// <summary>Where Prometheus finds its generated configuration and rules, seen from inside its process.</summary>
public sealed record PrometheusLayout(string HostConfigDirectory, string ConfigDirectory, string RulesDirectory, bool InContainer)
{
    public string HostConfigFile => Path.Combine(HostConfigDirectory, PrometheusConfig.FileName);

    public string ConfigFile => InContainer ? $"{ConfigDirectory}/{PrometheusConfig.FileName}" : HostConfigFile;
}

public sealed class PrometheusServerResource(string name, string command, PrometheusLayout layout, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), ISandboxPrometheusResource
{
    public PrometheusLayout Layout { get; } = layout;
}

public sealed class PrometheusContainerResource(string name, PrometheusLayout layout)
    : ContainerResource(name), ISandboxPrometheusResource
{
    public PrometheusLayout Layout { get; } = layout;
}

public static class PrometheusExtensions
{
    public const string EndpointName = "http";
    private const int ContainerPort = 9090;
    private const string ContainerConfigDirectory = "/etc/prometheus/sandbox";
    private const string ContainerRulesDirectory = "/etc/prometheus/rules";

    // Prometheus writes its info logs to stderr, which the Aspire dashboard shows as errors; keep warnings and errors.
    private const string QuietLogs = "--log.level=warn";

    /// <summary>Prometheus loaded with the rules in <c>dashboards/prometheus/rules</c>, on a stable host port.</summary>
    public static IResourceBuilder<ISandboxPrometheusResource> AddSandboxPrometheus(
        this IDistributedApplicationBuilder builder, string name, SandboxSettings sandbox)
    {
        SandboxSettings.EnsurePortIsFree(sandbox.PrometheusPort, name, "Ports:Prometheus");
        var hostConfigDirectory = sandbox.EnsureStateFolder("prometheus", "config");
        var hostRulesDirectory = Path.Combine(sandbox.DashboardsDirectory, "prometheus", "rules");

        if (sandbox.Runtime == RuntimeMode.Containers)
        {
            var layout = new PrometheusLayout(hostConfigDirectory, ContainerConfigDirectory, ContainerRulesDirectory, InContainer: true);
            return builder.AddResource(new PrometheusContainerResource(name, layout))
                .WithImage(ContainerImages.Prometheus, ContainerImages.PrometheusTag)
                .WithImageRegistry(ContainerImages.Registry)
                .WithBindMount(hostConfigDirectory, ContainerConfigDirectory, isReadOnly: true)
                .WithBindMount(hostRulesDirectory, ContainerRulesDirectory, isReadOnly: true)
                .WithVolume("filestore-sandbox-prometheus-data", "/prometheus")
                // Lets the container reach the services on the host on Linux engines too (Docker Desktop has it built in).
                .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
                .WithHttpEndpoint(port: sandbox.PrometheusPort, targetPort: ContainerPort, name: EndpointName)
                .WithArgs(
                    $"--config.file={layout.ConfigFile}",
                    "--storage.tsdb.path=/prometheus",
                    "--web.enable-lifecycle",
                    // The runbook's sandbox reset erases the SLO history after a drill (DELETE series): a rehearsal room only.
                    "--web.enable-admin-api",
                    QuietLogs,
                    $"--web.listen-address=:{ContainerPort}")
                .WithHttpHealthCheck("/-/ready", endpointName: EndpointName)
                .WithUrlForEndpoint(EndpointName, url => url.DisplayText = "Prometheus");
        }

        var prometheusBinary = ExecutableLocator.Require(
            "prometheus", "install it with 'sudo apt-get install prometheus' (Debian/Ubuntu) or 'brew install prometheus' (macOS)");
        var dataDirectory = sandbox.EnsureStateFolder("prometheus", "data");
        var hostLayout = new PrometheusLayout(hostConfigDirectory, hostConfigDirectory, hostRulesDirectory, InContainer: false);

        IResourceBuilder<PrometheusServerResource> prometheus = builder
            .AddResource(new PrometheusServerResource(name, prometheusBinary, hostLayout, dataDirectory))
            .WithHttpEndpoint(port: sandbox.PrometheusPort, name: EndpointName);
        return prometheus
            .WithArgs(context =>
            {
                context.Args.Add($"--config.file={hostLayout.ConfigFile}");
                context.Args.Add($"--storage.tsdb.path={dataDirectory}");
                context.Args.Add("--web.enable-lifecycle");
                context.Args.Add("--web.enable-admin-api");
                context.Args.Add(QuietLogs);
                context.Args.Add(ReferenceExpression.Create(
                    $"--web.listen-address=127.0.0.1:{prometheus.Resource.GetEndpoint(EndpointName).Property(EndpointProperty.TargetPort)}"));
            })
            .WithHttpHealthCheck("/-/ready", endpointName: EndpointName)
            .WithUrlForEndpoint(EndpointName, url => url.DisplayText = "Prometheus");
    }

    /// <summary>
    /// Scrapes the given services (and Prometheus itself) at the ports Aspire allocated. The configuration is written
    /// just before Prometheus starts: ports are allocated before anything starts, so Prometheus need not wait for the
    /// services (a target that is still starting is simply down for a scrape or two).
    /// </summary>
    public static IResourceBuilder<ISandboxPrometheusResource> WithScrapeTargets(
        this IResourceBuilder<ISandboxPrometheusResource> prometheus, params IResourceBuilder<IResourceWithEndpoints>[] targets)
    {
        var resource = prometheus.Resource;
        prometheus.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (_, ct) =>
        {
            var layout = resource.Layout;
            var scrapeHost = layout.InContainer ? "host.docker.internal" : "127.0.0.1";
            var jobs = new List<ScrapeJob>();
            foreach (var target in targets)
            {
                var port = await target.Resource.GetEndpoint("http").Property(EndpointProperty.Port).GetValueAsync(ct);
                jobs.Add(new ScrapeJob(target.Resource.Name, $"{scrapeHost}:{port}"));
            }

            // The target port of an executable is a template DCP fills in only at launch, so scrape through the host port.
            var selfPort = layout.InContainer
                ? ContainerPort.ToString(CultureInfo.InvariantCulture)
                : await resource.GetEndpoint(EndpointName).Property(EndpointProperty.Port).GetValueAsync(ct);
            jobs.Insert(0, new ScrapeJob(resource.Name, $"127.0.0.1:{selfPort}"));

            var yaml = PrometheusConfig.Render(jobs, layout.RulesDirectory);
            await File.WriteAllTextAsync(layout.HostConfigFile, yaml, ct);
        });
        return prometheus;
    }
}

public sealed record ScrapeJob(string JobName, string Target);

/// <summary>Renders the Prometheus configuration; the same text works on Debian's 2.42 and the pinned 3.x image.</summary>
public static class PrometheusConfig
{
    public const string FileName = "prometheus.yml";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static string Render(IEnumerable<ScrapeJob> jobs, string rulesDirectory)
    {
        var interval = $"{Interval.TotalSeconds:0}s";
        var text = new StringBuilder()
            .AppendLine("# Written by the sandbox AppHost at every start from the ports Aspire allocated; edits here are overwritten.")
            .AppendLine("global:")
            .AppendLine(CultureInfo.InvariantCulture, $"  scrape_interval: {interval}")
            .AppendLine(CultureInfo.InvariantCulture, $"  evaluation_interval: {interval}")
            .AppendLine("  external_labels:")
            .AppendLine("    sandbox: filestore-cutover")
            .AppendLine("rule_files:")
            .AppendLine(CultureInfo.InvariantCulture, $"  - '{rulesDirectory}/*.yml'")
            .AppendLine("scrape_configs:");
        foreach (var job in jobs)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: '{job.JobName}'")
                .AppendLine("    metrics_path: /metrics")
                .AppendLine("    static_configs:")
                .AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['{job.Target}']");
        }

        return text.ToString();
    }
}
