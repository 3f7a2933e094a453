namespace Sandbox.AppHost;

public static class PrometheusExtensions
{
    public const string EndpointName = "http";
    private const int ContainerPort = 9090;
    // Container paths are Linux paths whatever the host: built as text, never with Path (backslashes on Windows).
    private const string ContainerConfigParent = "/etc/prometheus";
    private const string ContainerConfigFolder = "sandbox";
    private const string ContainerConfigDirectory = $"{ContainerConfigParent}/{ContainerConfigFolder}";
    private const string ContainerRulesDirectory = "/etc/prometheus/rules";

    // Prometheus writes its info logs to stderr, which the Aspire dashboard shows as errors; keep warnings and errors.
    private const string QuietLogs = "--log.level=warn";

    /// <summary>Prometheus loaded with the rules in <c>dashboards/prometheus/rules</c>, on a stable host port.</summary>
    public static IResourceBuilder<ISandboxPrometheusResource> AddSandboxPrometheus(
        this IDistributedApplicationBuilder builder, string name, SandboxSettings sandbox)
    {
        SandboxSettings.EnsurePortIsFree(sandbox.PrometheusPort, name, "Ports:Prometheus");
        var hostRulesDirectory = Path.Combine(sandbox.DashboardsDirectory, "prometheus", "rules");

        if (sandbox.Runtime == RuntimeMode.Containers)
        {
            var layout = new PrometheusLayout(ContainerConfigDirectory, ContainerRulesDirectory, InContainer: true);
            return builder.AddResource(new PrometheusContainerResource(name, layout))
                .WithImage(ContainerImages.Prometheus, ContainerImages.PrometheusTag)
                .WithImageRegistry(ContainerImages.Registry)
                .WithBindMount(hostRulesDirectory, ContainerRulesDirectory, isReadOnly: true)
                .WithVolume("filestore-sandbox-prometheus-data", "/prometheus")
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
        var hostLayout = new PrometheusLayout(sandbox.EnsureStateFolder("prometheus", "config"), hostRulesDirectory, InContainer: false);

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
    /// Scrapes the given services (and Prometheus itself) at the addresses Aspire gives them as Prometheus sees them:
    /// on the host, the ports Aspire allocated; from the container, the address Aspire's container network tunnels to
    /// each service, which works on Docker Desktop, Linux engines and Podman alike (a service's port on the host is
    /// bound to localhost, out of reach of <c>host.docker.internal</c> on a Linux engine). Prometheus need not wait
    /// for the services: a target that is still starting is simply down for a scrape or two.
    /// </summary>
    public static IResourceBuilder<ISandboxPrometheusResource> WithScrapeTargets(
        this IResourceBuilder<ISandboxPrometheusResource> prometheus, params IResourceBuilder<IResourceWithEndpoints>[] targets)
    {
        var resource = prometheus.Resource;
        var endpoints = targets.Select(target => target.Resource.GetEndpoint("http")).ToArray();
        if (resource is PrometheusContainerResource container)
        {
            // A reference is what makes Aspire give the container a way to each service; the file is written once
            // those addresses exist, just before the container is created.
            var containerBuilder = prometheus.ApplicationBuilder.CreateResourceBuilder(container);
            foreach (var endpoint in endpoints)
            {
                containerBuilder.WithReference(endpoint);
            }

            var network = new ValueProviderContext { Caller = container, Network = KnownNetworkIdentifiers.DefaultAspireContainerNetwork };
            containerBuilder.WithContainerFiles(ContainerConfigParent, async (_, ct) =>
            [
                new ContainerDirectory
                {
                    Name = ContainerConfigFolder,
                    Entries = [new ContainerFile { Name = PrometheusConfig.FileName, Contents = await RenderAsync($"127.0.0.1:{ContainerPort}", network, ct) }],
                },
            ]);
            return prometheus;
        }

        prometheus.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (_, ct) =>
        {
            // The target port of an executable is a template DCP fills in only at launch, so scrape through the host port.
            var selfPort = await resource.GetEndpoint(EndpointName).Property(EndpointProperty.Port).GetValueAsync(ct);
            var host = new ValueProviderContext { Caller = resource, Network = KnownNetworkIdentifiers.LocalhostNetwork };
            await File.WriteAllTextAsync(resource.Layout.ConfigFile, await RenderAsync($"127.0.0.1:{selfPort}", host, ct), ct);
        });
        return prometheus;

        async Task<string> RenderAsync(string self, ValueProviderContext seenFrom, CancellationToken ct)
        {
            var jobs = new List<ScrapeJob> { new(resource.Name, self) };
            foreach (var endpoint in endpoints)
            {
                // IPV4Host: Prometheus 2 would try ::1 first for "localhost", where nothing listens.
                var address = ReferenceExpression.Create(
                    $"{endpoint.Property(EndpointProperty.IPV4Host)}:{endpoint.Property(EndpointProperty.Port)}");
                jobs.Add(new ScrapeJob(endpoint.Resource.Name, (await address.GetValueAsync(seenFrom, ct))!));
            }

            return PrometheusConfig.Render(jobs, resource.Layout.RulesDirectory);
        }
    }
}
