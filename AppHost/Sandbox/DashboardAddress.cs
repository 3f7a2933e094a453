using System.Text.Json.Serialization;

namespace Sandbox.AppHost;

/// <summary>
/// Where a dashboard is seen: always as Prometheus graph views (one page, or several where the graph page takes fewer
/// graphs than the dashboard has), and in Grafana where Grafana runs.
/// </summary>
public sealed record DashboardAddress(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("prometheus")] IReadOnlyList<string> Prometheus,
    [property: JsonPropertyName("grafana")] string? Grafana = null);
