using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sandbox.AppHost;

/// <summary>The content of <c>endpoints.json</c>.</summary>
public sealed record SandboxAddresses(
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("writtenAt")] DateTimeOffset WrittenAt,
    [property: JsonPropertyName("resources")] IReadOnlyDictionary<string, SandboxAddress> Resources,
    [property: JsonPropertyName("dashboards")] IReadOnlyDictionary<string, DashboardAddress>? Dashboards = null)
{
    public const string FileName = "endpoints.json";

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The address table the AppHost logs once the sandbox is up: resources, then the dashboards.</summary>
    public string Table()
    {
        var width = Resources.Keys.Max(name => name.Length) + 2;
        var table = new StringBuilder();
        foreach (var (name, address) in Resources)
        {
            table.Append(CultureInfo.InvariantCulture, $"  {name.PadRight(width)}")
                .AppendLine(address.Skipped is null ? address.Url : $"skipped: {address.Skipped}");
        }

        if (Dashboards is { Count: > 0 } dashboards)
        {
            table.AppendLine("  dashboards (Prometheus graph views; also among the prometheus resource's links in the Aspire dashboard):");
            var titles = dashboards.Values.SelectMany(d => d.Prometheus.Select((url, i) => (Title: DashboardViewsAnnotation.PageTitle(d.Title, i + 1, d.Prometheus.Count), Url: url))).ToList();
            var titleWidth = titles.Max(t => t.Title.Length) + 2;
            foreach (var (title, url) in titles)
            {
                table.Append(CultureInfo.InvariantCulture, $"    {title.PadRight(titleWidth)}").AppendLine(url);
            }

            var inGrafana = dashboards.Values.Where(d => d.Grafana is not null).ToList();
            if (inGrafana.Count > 0)
            {
                table.AppendLine("  dashboards in Grafana:");
                var grafanaWidth = inGrafana.Max(d => d.Title.Length) + 2;
                foreach (var dashboard in inGrafana)
                {
                    table.Append(CultureInfo.InvariantCulture, $"    {dashboard.Title.PadRight(grafanaWidth)}").AppendLine(dashboard.Grafana);
                }
            }
        }

        return table.ToString().TrimEnd();
    }
}
