using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Sandbox.Tests.Infrastructure;
using SloRules;

namespace Sandbox.Tests.Slo;

/// <summary>The SLO rules: produced from their one source, proven by promtool both ways, each pointing at its runbook section.</summary>
public sealed class SloRulesTests
{
    private static readonly SloCatalog Catalog = SloCatalog.Load(Repository.Root);
    private static readonly string[] Severities = ["page", "ticket"];

    public static TheoryData<string> Profiles() => [.. Catalog.Profiles.Select(p => p.Name)];

    [Fact]
    public void Every_generated_rule_file_and_drill_test_is_what_the_source_produces()
    {
        foreach (var (path, content) in Generator.Outputs(Repository.Root))
        {
            var file = Repository.PathOf(path);
            Assert.True(File.Exists(file), $"{path} is missing; run: dotnet run --project dashboards/slo/SloRules");
            Assert.True(File.ReadAllText(file) == content, $"{path} is stale or edited by hand; run: dotnet run --project dashboards/slo/SloRules");
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task Promtool_passes_every_rule_test_of_the_profile(string profile)
    {
        var (exitCode, output) = await Promtool.RunAsync("test", "rules", Repository.PathOf(Profile(profile).Tests));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_alert_of_the_profile_has_a_case_that_fires_and_one_that_stays_quiet(string profile)
    {
        var cases = RuleFiles.AlertCases(Repository.PathOf(Profile(profile).Tests));
        var alerts = RuleFiles.Alerts(Repository.PathOf(Profile(profile).Output));

        Assert.NotEmpty(alerts);
        var untested = alerts
            .Where(a => !cases.Any(c => c.Alert == a.Name && c.Fires) || !cases.Any(c => c.Alert == a.Name && !c.Fires))
            .Select(a => a.Name)
            .ToList();
        Assert.True(untested.Count == 0, $"needs a firing and a quiet promtool case: {string.Join(", ", untested)}");
        Assert.Empty(cases.Select(c => c.Alert).Except(alerts.Select(a => a.Name)));
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_a_description_and_a_runbook_section_that_exists()
    {
        var sections = RunbookSections();

        Assert.All(RuleFiles.All().SelectMany(RuleFiles.Alerts), alert =>
        {
            Assert.Contains(alert.Labels.GetValueOrDefault("severity"), Severities);
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")), $"{alert.Name}: no summary");
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("description")), $"{alert.Name}: no description");

            var url = alert.Annotations.GetValueOrDefault("runbook_url") ?? string.Empty;
            Assert.StartsWith(Catalog.RunbookBaseUrl + Catalog.Runbook + "#", url, StringComparison.Ordinal);
            Assert.True(sections.Contains(url[(url.IndexOf('#', StringComparison.Ordinal) + 1)..]),
                $"{alert.Name}: {url} has no section in {Catalog.Runbook}");
        });
    }

    [Fact]
    public void The_sandbox_loads_the_drill_profile_and_not_the_standard_one()
    {
        var loaded = Directory.GetFiles(Repository.PathOf("dashboards", "prometheus", "rules"), "*.yml")
            .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/'))
            .ToList();

        Assert.Contains(Profile("drill").Output, loaded);
        Assert.DoesNotContain(Profile("standard").Output, loaded);
        Assert.Equal(
            RuleFiles.Alerts(Repository.PathOf(Profile("standard").Output)).Select(a => a.Name),
            RuleFiles.Alerts(Repository.PathOf(Profile("drill").Output)).Select(a => a.Name));
    }

    [Fact]
    public void The_drill_profile_pages_on_fast_burn_within_minutes()
    {
        var drill = RuleFiles.Alerts(Repository.PathOf(Profile("drill").Output));
        var fastBurn = drill.Where(a => a.Name.EndsWith("FastBurn", StringComparison.Ordinal)).ToList();

        Assert.Equal(Catalog.Slos.Count, fastBurn.Count);
        Assert.All(fastBurn, alert => Assert.True(PromDuration.Parse(alert.For) <= TimeSpan.FromSeconds(30), $"{alert.Name} waits {alert.For}"));
        var longWindow = RuleFiles.Recordings(Repository.PathOf(Profile("drill").Output))
            .First(r => r.Name == "slo:sli_error:ratio_rate1h").Labels["window"];
        Assert.True(PromDuration.Parse(longWindow) <= TimeSpan.FromMinutes(3), $"the fast-burn long window is {longWindow}");
    }

    [Fact]
    public void The_SLO_agreement_quotes_every_SLI_exactly_as_the_production_rules_record_it()
    {
        // docs/slo.md is what the owners sign; a query there that differs from the rules would be a promise nobody measures.
        var quoted = Markdown.Parse(File.ReadAllText(Repository.PathOf("docs", "slo.md")))
            .Descendants<FencedCodeBlock>().Where(b => b.Info == "promql")
            .Select(b => Normalized(b.Lines.ToString()))
            .ToHashSet();
        var recorded = RuleFiles.Recordings(Repository.PathOf(Profile("standard").Output))
            .Where(r => r.Name == $"slo:sli_error:ratio_rate{Catalog.Period}")
            .ToDictionary(r => r.Labels["slo"], r => Normalized(r.Expr));

        Assert.All(Catalog.Slos, slo =>
        {
            Assert.True(recorded.TryGetValue(slo.Name, out var expr), $"{slo.Name}: no {Catalog.Period} SLI recorded in the standard profile");
            Assert.True(quoted.Contains(expr!), $"docs/slo.md does not quote the {slo.Name} SLI as generated; copy it from {Profile("standard").Output}:\n{expr}");
        });
    }

    [Theory]
    [InlineData("5m", 0.05, "15s")]
    [InlineData("1h", 0.05, "3m")]
    [InlineData("30d", 0.05, "1d12h")]
    [InlineData("3d", 0.05, "3h36m")]
    [InlineData("1h30m", 1, "1h30m")]
    [InlineData("90s", 1, "90s")]
    public void Durations_scale_to_what_Prometheus_reads(string duration, double factor, string expected) =>
        Assert.Equal(expected, PromDuration.Scale(duration, factor));

    [Fact]
    public void Range_selectors_are_scaled_and_nothing_else_in_the_expression()
    {
        Assert.Equal(
            "sum(rate(x{le=\"5\"}[15s])) > 5 and changes(y[1m30s]) > 0",
            PromDuration.ScaleRanges("sum(rate(x{le=\"5\"}[5m])) > 5 and changes(y[30m]) > 0", 0.05));
        Assert.Throws<FormatException>(() => PromDuration.Parse("5 minutes"));
    }

    private static Profile Profile(string name) => Catalog.Profiles.Single(p => p.Name == name);

    private static string Normalized(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private static HashSet<string> RunbookSections()
    {
        var pipeline = new MarkdownPipelineBuilder().UseAutoIdentifiers(AutoIdentifierOptions.GitHub).Build();
        var document = Markdown.Parse(File.ReadAllText(Repository.PathOf(Catalog.Runbook)), pipeline);
        return document.Descendants<HeadingBlock>().Select(h => h.GetAttributes().Id).OfType<string>().ToHashSet();
    }
}
