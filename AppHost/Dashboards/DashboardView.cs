namespace Sandbox.AppHost;

/// <summary>
/// A Grafana dashboard as a view in Prometheus's own graph page: every panel's queries (one graph each), variables at
/// the chosen values or "All", each headed by the panel's title as a PromQL comment. Where the sandbox runs without
/// Grafana, this is the dashboard; its title names the values it was narrowed to.
/// </summary>
public sealed record DashboardView(string Uid, string Title, IReadOnlyList<IReadOnlyList<string>> Panels)
{
    public static DashboardView Of(GrafanaDashboard dashboard, DashboardVariables variables)
    {
        var narrowed = dashboard.Variables.Where(variables.Chosen.ContainsKey).Select(v => $"{v}={variables.Chosen[v]}").ToList();
        return new(
            dashboard.Uid,
            narrowed.Count == 0 ? dashboard.Title : $"{dashboard.Title} ({string.Join(", ", narrowed)})",
            dashboard.Panels.Select(panel => (IReadOnlyList<string>)panel.Queries.Select((query, i) =>
                    $"# {panel.Title}{(panel.Queries.Count > 1 ? $" ({i + 1} of {panel.Queries.Count})" : "")}\n{variables.Resolve(query)}")
                .ToList()).ToList());
    }

    public IEnumerable<string> Expressions => Panels.SelectMany(panel => panel);
}

/// <summary>The dashboard views of a Prometheus resource and the graph page that shows them.</summary>
public sealed record DashboardViewsAnnotation(IReadOnlyList<DashboardView> Views, PrometheusGraphPage Page) : IResourceAnnotation
{
    /// <summary>The view's pages: one, unless the graph page takes fewer graphs than the dashboard has.</summary>
    public IReadOnlyList<string> Urls(Uri prometheus, DashboardView view) =>
        Page.Split(view.Panels).Select(page => Page.Url(prometheus, page).AbsoluteUri).ToList();

    /// <summary>"Title" for a one-page view, "Title (n of m)" for each page of a longer one.</summary>
    public static string PageTitle(string title, int page, int pages) => pages == 1 ? title : $"{title} ({page} of {pages})";
}
