using System.Globalization;

namespace Sandbox.AppHost;

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
