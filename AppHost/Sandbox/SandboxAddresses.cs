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
        var table = new StringBuilder();
        Rows(table, "  ", Resources.Select(r => (r.Key, r.Value.Skipped is null ? r.Value.Url : $"skipped: {r.Value.Skipped}")));
        if (Dashboards is { Count: > 0 } dashboards)
        {
            table.AppendLine("  dashboards (Prometheus graph views; also among the prometheus resource's links in the Aspire dashboard):");
            Rows(table, "    ", dashboards.Values.SelectMany(d =>
                d.Prometheus.Select((url, i) => (DashboardViewsAnnotation.PageTitle(d.Title, i + 1, d.Prometheus.Count), (string?)url))));

            var inGrafana = dashboards.Values.Where(d => d.Grafana is not null).ToList();
            if (inGrafana.Count > 0)
            {
                table.AppendLine("  dashboards in Grafana:");
                Rows(table, "    ", inGrafana.Select(d => (d.Title, d.Grafana)));
            }
        }

        return table.ToString().TrimEnd();
    }

    // Two columns, the first padded to its longest entry and two spaces.
    private static void Rows(StringBuilder table, string indent, IEnumerable<(string Name, string? Value)> rows)
    {
        var list = rows.ToList();
        var width = list.Max(r => r.Name.Length) + 2;
        foreach (var (name, value) in list)
        {
            table.Append(CultureInfo.InvariantCulture, $"{indent}{name.PadRight(width)}").AppendLine(value);
        }
    }
}
