using System.Globalization;
using System.Text;

namespace SloRules;

/// <summary>Writes one profile's Prometheus rule file: SLI recording rules, burn-rate alerts and health alerts.</summary>
public sealed class RuleWriter(SloCatalog catalog, Profile profile)
{
    private readonly StringBuilder _yaml = new();

    public string Render()
    {
        Line(0, $"# Generated from {SloCatalog.SourcePath}, profile \"{profile.Name}\""
                + (profile.Scale == 1 ? " (windows as written)." : $" (every window, range and `for` x{Number(profile.Scale)})."));
        Line(0, "# Do not edit: change the source and run `dotnet run --project dashboards/slo/SloRules`.");
        Line(0, "groups:");
        foreach (var slo in catalog.Slos)
        {
            WriteRecordingRules(slo);
            WriteBurnRateAlerts(slo);
        }

        foreach (var group in catalog.HealthAlerts)
        {
            Group(group.Group);
            foreach (var alert in group.Alerts)
            {
                Alert(alert.Name, PromDuration.ScaleRanges(alert.Expr, profile.Scale), alert.For, alert.Severity, null,
                    alert.Summary, alert.Description);
            }
        }

        return _yaml.ToString();
    }

    private void WriteRecordingRules(Slo slo)
    {
        Group($"slo-{slo.Name}");
        Record("slo:objective:ratio", $"vector({Number(slo.Objective)})", ("slo", slo.Name));
        foreach (var window in catalog.Windows())
        {
            var range = Scaled(window);
            var errors = slo.Errors.Replace("{{window}}", range, StringComparison.Ordinal);
            var total = slo.Total.Replace("{{window}}", range, StringComparison.Ordinal);
            // An error series appears only with the first error; until then the ratio is 0, not missing.
            Record($"slo:sli_error:ratio_rate{window}", $"(({errors}) or (0 * {total}))\n/\n({total})",
                ("slo", slo.Name), ("window", range));
        }

        foreach (var window in catalog.Windows())
        {
            Record($"slo:burn_rate:rate{window}", $"slo:sli_error:ratio_rate{window}{{slo=\"{slo.Name}\"}} / {Number(slo.Budget)}", ("slo", slo.Name));
        }

        Record("slo:error_budget_remaining:ratio",
            $"1 - max without (window) (slo:sli_error:ratio_rate{catalog.Period}{{slo=\"{slo.Name}\"}}) / {Number(slo.Budget)}", ("slo", slo.Name));
    }

    private void WriteBurnRateAlerts(Slo slo)
    {
        Group($"slo-{slo.Name}-alerts");
        var scope = slo.By.Count == 0 ? string.Empty : " (" + string.Join("/", slo.By.Select(l => $"{{{{ $labels.{l} }}}}")) + ")";
        foreach (var alert in catalog.BurnRateAlerts)
        {
            var threshold = Number(alert.Factor);
            Alert(slo.AlertPrefix + alert.Name,
                $"(max without (window) (slo:burn_rate:rate{alert.LongWindow}{{slo=\"{slo.Name}\"}}) > {threshold})\nand\n"
                + $"(max without (window) (slo:burn_rate:rate{alert.ShortWindow}{{slo=\"{slo.Name}\"}}) > {threshold})",
                alert.For, alert.Severity, slo.Name,
                $"{slo.Title} is burning its error budget at {threshold}x the sustainable rate{scope}",
                $"The {slo.Sli} misses its {Number(slo.Objective * 100)}% objective by enough to spend the budget {threshold} times faster "
                + "than the period allows, over both the long and the short window ({{ $value | humanize }}x over the long one).");
        }
    }

    private void Group(string name)
    {
        Line(1, $"- name: {name}");
        Line(2, "rules:");
    }

    private void Record(string name, string expr, params (string Name, string Value)[] labels)
    {
        Line(3, $"- record: {name}");
        Expr(expr);
        if (labels.Length > 0)
        {
            Line(4, "labels:");
            foreach (var (label, value) in labels)
            {
                Line(5, $"{label}: {Quote(value)}");
            }
        }
    }

    private void Alert(string name, string expr, string @for, string severity, string? slo, string summary, string description)
    {
        Line(3, $"- alert: {name}");
        Expr(expr);
        Line(4, $"for: {Scaled(@for)}");
        Line(4, "labels:");
        Line(5, $"severity: {Quote(severity)}");
        if (slo is not null)
        {
            Line(5, $"slo: {Quote(slo)}");
        }

        Line(4, "annotations:");
        Line(5, $"summary: {Quote(summary)}");
        Line(5, $"description: {Quote(description)}");
        Line(5, $"runbook_url: {Quote(catalog.RunbookUrl(name))}");
    }

    private void Expr(string expr)
    {
        if (!expr.Contains('\n', StringComparison.Ordinal))
        {
            Line(4, $"expr: {Quote(expr)}");
            return;
        }

        Line(4, "expr: |-");
        foreach (var line in expr.Split('\n'))
        {
            Line(5, line);
        }
    }

    private string Scaled(string duration) => PromDuration.Scale(duration, profile.Scale);

    private void Line(int depth, string text) => _yaml.Append(' ', depth * 2).Append(text).Append('\n');

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Number(double value) => value.ToString("0.#########", CultureInfo.InvariantCulture);
}
