using System.Text.Json;

namespace Sandbox.AppHost;

/// <summary>One panel of a Grafana dashboard: its title and the PromQL of each of its queries, as written.</summary>
public sealed record DashboardPanel(string Title, IReadOnlyList<string> Queries);

/// <summary>
/// A Grafana dashboard of <c>dashboards/grafana/dashboards</c>, read for what the sandbox shows without Grafana: its
/// panels' queries and the variables they filter by (query and custom variables; the datasource is not one). The JSON
/// stays the single source; nothing here is kept by hand.
/// </summary>
public sealed record GrafanaDashboard(string Uid, string Title, IReadOnlyList<DashboardPanel> Panels, IReadOnlyList<string> Variables)
{
    private static readonly string[] FilterVariableTypes = ["query", "custom"];

    /// <summary>Every dashboard in <paramref name="directory"/>, ordered by file name; a file that is not a dashboard is a setup error.</summary>
    public static IReadOnlyList<GrafanaDashboard> LoadAll(string directory) =>
        Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal).Select(Load).ToList();

    public static GrafanaDashboard Load(string file)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            var panels = AllPanels(root).Select(p => new DashboardPanel(
                    Text(p, "title"),
                    (p.TryGetProperty("targets", out var targets) ? targets.EnumerateArray() : default)
                        .Select(t => Text(t, "expr")).Where(e => e.Length > 0).ToList()))
                .Where(p => p.Queries.Count > 0)
                .ToList();
            var variables = (root.TryGetProperty("templating", out var templating) && templating.TryGetProperty("list", out var list)
                    ? list.EnumerateArray()
                    : default)
                .Where(v => FilterVariableTypes.Contains(Text(v, "type")))
                .Select(v => Text(v, "name"))
                .ToList();
            return new GrafanaDashboard(Text(root, "uid"), Text(root, "title"), panels, variables);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new SandboxSetupException($"{file} is not a Grafana dashboard the sandbox can read: {e.Message}");
        }
    }

    // A collapsed row keeps its panels inside it; an open row is followed by them.
    private static IEnumerable<JsonElement> AllPanels(JsonElement container) =>
        container.TryGetProperty("panels", out var panels)
            ? panels.EnumerateArray().SelectMany(p => Text(p, "type") == "row" ? AllPanels(p) : [p])
            : [];

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
