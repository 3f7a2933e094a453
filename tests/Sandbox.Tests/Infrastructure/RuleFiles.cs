using YamlDotNet.RepresentationModel;

namespace Sandbox.Tests.Infrastructure;

public sealed record AlertRule(string Name, string Expr, string For, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

public sealed record RecordingRule(string Name, string Expr, IReadOnlyDictionary<string, string> Labels);

/// <summary>One promtool <c>alert_rule_test</c>: which alert it evaluates and whether it expects it to fire.</summary>
public sealed record AlertCase(string Test, string Alert, bool Fires);

/// <summary>Reads Prometheus rule files and promtool test files the way the tests need them.</summary>
public static class RuleFiles
{
    public static IReadOnlyList<string> All() =>
        [.. Directory.GetFiles(Repository.PathOf("dashboards", "prometheus", "rules"), "*.yml"),
         .. Directory.GetFiles(Repository.PathOf("dashboards", "prometheus", "standard"), "*.yml")];

    public static IReadOnlyList<AlertRule> Alerts(string file) =>
        Rules(file).Where(r => r.Children.ContainsKey("alert"))
            .Select(r => new AlertRule(Text(r, "alert"), Text(r, "expr"), Text(r, "for"), Map(r, "labels"), Map(r, "annotations")))
            .ToList();

    public static IReadOnlyList<RecordingRule> Recordings(string file) =>
        Rules(file).Where(r => r.Children.ContainsKey("record"))
            .Select(r => new RecordingRule(Text(r, "record"), Text(r, "expr"), Map(r, "labels")))
            .ToList();

    public static IReadOnlyList<AlertCase> AlertCases(string testFile) =>
        Sequence(Load(testFile), "tests").SelectMany(test => Sequence(test, "alert_rule_test").Select(c =>
                new AlertCase(Text(test, "name"), Text(c, "alertname"), Sequence(c, "exp_alerts").Any())))
            .ToList();

    private static IEnumerable<YamlMappingNode> Rules(string file) =>
        Sequence(Load(file), "groups").SelectMany(group => Sequence(group, "rules"));

    private static YamlMappingNode Load(string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(file);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlSequenceNode items ? items.Children.Cast<YamlMappingNode>() : [];

    private static string Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value ?? string.Empty : string.Empty;

    private static Dictionary<string, string> Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlMappingNode map
            ? map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? string.Empty)
            : [];
}
