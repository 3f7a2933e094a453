namespace Sandbox.AppHost;

public static class DashboardViewExtensions
{
    /// <summary>
    /// Every Grafana dashboard as a view in this Prometheus's graph page, listed among the resource's URLs in the Aspire
    /// dashboard (and, through <see cref="DashboardViewsAnnotation"/>, in the address table and <c>endpoints.json</c>).
    /// Executables mode has no Grafana, so these views are its dashboards; containers mode gets them too. Variables are
    /// at "All" unless chosen, e.g. <c>--Sandbox:Dashboards:env=production</c>.
    /// </summary>
    public static IResourceBuilder<ISandboxPrometheusResource> WithDashboardViews(
        this IResourceBuilder<ISandboxPrometheusResource> prometheus, SandboxSettings sandbox)
    {
        var page = prometheus.Resource switch
        {
            ExecutableResource executable => PrometheusGraphPage.OfBinary(executable.Command),
            _ => PrometheusGraphPage.OfImageTag(ContainerImages.PrometheusTag),
        };
        var dashboards = GrafanaDashboard.LoadAll(Path.Combine(sandbox.DashboardsDirectory, "grafana", "dashboards"));
        var variables = DashboardVariables.Read(prometheus.ApplicationBuilder.Configuration, dashboards);
        var views = dashboards.Select(dashboard => DashboardView.Of(dashboard, variables)).ToList();
        var annotation = new DashboardViewsAnnotation(views, page);

        return prometheus
            .WithAnnotation(annotation)
            .WithUrls(context =>
            {
                var endpoint = prometheus.Resource.GetEndpoint(PrometheusExtensions.EndpointName);
                if (!endpoint.IsAllocated)
                {
                    return;
                }

                var address = new Uri(endpoint.Url);
                context.Urls.Add(new ResourceUrlAnnotation { Url = new Uri(address, page.AlertsPath).AbsoluteUri, DisplayText = "Alerts" });
                foreach (var view in views)
                {
                    var pages = annotation.Urls(address, view);
                    context.Urls.AddRange(pages.Select((url, i) => new ResourceUrlAnnotation
                    {
                        Url = url,
                        DisplayText = $"Dashboard: {DashboardViewsAnnotation.PageTitle(view.Title, i + 1, pages.Count)}",
                    }));
                }
            });
    }
}
