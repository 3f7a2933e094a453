namespace Sandbox.AppHost;

public static class GrafanaExtensions
{
    public const string EndpointName = "http";
    private const int ContainerPort = 3000;

    /// <summary>
    /// Grafana with the datasource and dashboards provisioned from <c>dashboards/grafana</c>. Containers only: Debian
    /// ships no Grafana package, so executables mode skips it and says what is lost (see <see cref="SandboxExtensions"/>).
    /// </summary>
    public static IResourceBuilder<ContainerResource>? AddSandboxGrafana(
        this IDistributedApplicationBuilder builder, string name, SandboxSettings sandbox,
        IResourceBuilder<ISandboxPrometheusResource> prometheus)
    {
        if (sandbox.Runtime != RuntimeMode.Containers)
        {
            return null;
        }

        SandboxSettings.EnsurePortIsFree(sandbox.GrafanaPort, name, "Ports:Grafana");
        var grafanaDirectory = Path.Combine(sandbox.DashboardsDirectory, "grafana");
        var dashboards = GrafanaDashboard.LoadAll(Path.Combine(grafanaDirectory, "dashboards"));
        var adminPassword = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-admin-password", special: false);

        return builder.AddContainer(name, ContainerImages.Grafana, ContainerImages.GrafanaTag)
            .WithImageRegistry(ContainerImages.Registry)
            .WithBindMount(Path.Combine(grafanaDirectory, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(grafanaDirectory, "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true)
            .WithEnvironment("PROMETHEUS_URL", prometheus.Resource.GetEndpoint(PrometheusExtensions.EndpointName))
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/var/lib/grafana/dashboards/sandbox-overview.json")
            .WithEnvironment(context => context.EnvironmentVariables["GF_SECURITY_ADMIN_PASSWORD"] = adminPassword)
            .WithHttpEndpoint(port: sandbox.GrafanaPort, targetPort: ContainerPort, name: EndpointName)
            .WithHttpHealthCheck("/api/health", endpointName: EndpointName)
            .WithUrlForEndpoint(EndpointName, url => url.DisplayText = "Grafana")
            .WithUrls(context =>
            {
                // Each provisioned dashboard by its uid, as Grafana addresses it.
                var grafana = context.Urls.FirstOrDefault(u => u.Endpoint?.EndpointName == EndpointName)?.Url;
                if (grafana is not null)
                {
                    context.Urls.AddRange(dashboards.Select(d => new ResourceUrlAnnotation { Url = DashboardUrl(grafana, d.Uid), DisplayText = $"Dashboard: {d.Title}" }));
                }
            })
            .WaitFor(prometheus);
    }

    /// <summary>Where Grafana shows a provisioned dashboard: by its uid.</summary>
    public static string DashboardUrl(string grafana, string uid) => $"{grafana.TrimEnd('/')}/d/{uid}";
}
