using System.Globalization;
using System.Text.RegularExpressions;
using Sandbox.Tests.Infrastructure;
using SloRules;
using YamlDotNet.RepresentationModel;

namespace Sandbox.Tests.Slo;

/// <summary>
/// The promtool cases pin every burn-rate threshold: each comparison of each generated alert, moved 3 % down or up on
/// its own, makes the alert's bracket case fail on the alert itself (a quiet case fires, or the firing one stays quiet),
/// not merely on an annotation that quotes the factor.
/// </summary>
public sealed partial class BurnRateThresholdTests
{
    private static readonly SloCatalog Catalog = SloCatalog.Load(Repository.Root);

    /// <summary>Every burn-rate alert the source declares, in every profile.</summary>
    public static TheoryData<string, string> BurnRateAlerts()
    {
        var data = new TheoryData<string, string>();
        foreach (var profile in Catalog.Profiles)
        {
            foreach (var alert in Catalog.Slos.SelectMany(s => Catalog.BurnRateAlerts.Select(a => s.AlertPrefix + a.Name)))
            {
                data.Add(profile.Name, alert);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BurnRateAlerts))]
    public async Task Moving_either_window_threshold_3_percent_either_way_fails_the_alerts_bracket_case(string profileName, string alert)
    {
        var profile = Catalog.Profiles.Single(p => p.Name == profileName);
        var rules = File.ReadAllText(Repository.PathOf(profile.Output));
        using var folder = new TempDirectory("burn-rate-threshold");
        var tests = BracketCaseOnly(Repository.PathOf(profile.Tests), alert, folder.Path);

        var (unchanged, output) = await RunAsync(folder.Path, rules, tests);
        Assert.True(unchanged == 0, $"the bracket case of {alert} fails on the generated rules:\n{output}");

        foreach (var window in new[] { "long", "short" })
        {
            foreach (var (factor, symptom) in new[] { (0.97, "case=\"long-"), (1.03, "got:[]") })
            {
                var moved = MoveThreshold(rules, alert, window == "long" ? 0 : 1, factor);
                var (exitCode, result) = await RunAsync(folder.Path, moved, tests);

                Assert.True(exitCode != 0, $"{alert}: its {window}-window threshold x{factor} went unnoticed by promtool");
                Assert.Contains($"alertname: {alert}", result, StringComparison.Ordinal);
                // Lowered: a case with one window just below now fires. Raised: the case with both just above stays quiet.
                var got = result[result.IndexOf("got:", StringComparison.Ordinal)..];
                Assert.True(got.Contains(symptom, StringComparison.Ordinal), $"{alert} x{factor} ({window}) did not fail on the alert:\n{result}");
            }
        }
    }

    /// <summary>The rule file with one comparison of one alert (0: the long window, 1: the short) multiplied by <paramref name="factor"/>.</summary>
    private static string MoveThreshold(string rules, string alert, int comparison, double factor)
    {
        var start = rules.IndexOf($"- alert: {alert}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{alert} is not in the generated rules");
        var end = rules.IndexOf("for:", start, StringComparison.Ordinal);
        var matches = Comparisons().Matches(rules[start..end]);
        Assert.True(matches.Count == 2, $"{alert} should compare a long and a short window, compares {matches.Count}");
        var match = matches[comparison];
        var threshold = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var at = start + match.Groups["n"].Index;
        return string.Concat(rules.AsSpan(0, at), (threshold * factor).ToString(CultureInfo.InvariantCulture),
            rules.AsSpan(at + match.Groups["n"].Length));
    }

    /// <summary>A copy of the profile's promtool tests with only the alert's bracket case, next to where the rules will be.</summary>
    private static string BracketCaseOnly(string testFile, string alert, string folder)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(testFile))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var all = (YamlSequenceNode)root.Children["tests"];
        var bracket = all.Children.Cast<YamlMappingNode>()
            .Where(test => test.ToString().Contains("case=\"both-above\"", StringComparison.Ordinal)
                && ((YamlSequenceNode)test.Children["alert_rule_test"]).Children.Cast<YamlMappingNode>()
                    .Any(c => ((YamlScalarNode)c.Children["alertname"]).Value == alert))
            .ToList();
        Assert.True(bracket.Count == 1, $"{testFile} needs exactly one bracket case for {alert}, has {bracket.Count}");

        root.Children["tests"] = new YamlSequenceNode(bracket);
        root.Children["rule_files"] = new YamlSequenceNode(new YamlScalarNode("rules.yml"));
        var path = Path.Combine(folder, "tests.yml");
        using var writer = new StreamWriter(path);
        yaml.Save(writer, assignAnchors: false);
        return path;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string folder, string rules, string tests)
    {
        await File.WriteAllTextAsync(Path.Combine(folder, "rules.yml"), rules);
        return await Promtool.RunAsync("test", "rules", tests);
    }

    [GeneratedRegex(@"\) > (?<n>[0-9.]+)\)")]
    private static partial Regex Comparisons();
}
