using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Sandbox.AppHost;

/// <summary>
/// Replaces a dashboard's variables as Grafana would, so a panel's query runs in plain Prometheus: each template
/// variable at the value chosen for the views (<c>Sandbox:Dashboards:&lt;variable&gt;</c>), otherwise at "All" (the
/// dashboards filter with <c>=~</c>, so "All" is <c>.*</c>), and <c>$__rate_interval</c> at its floor, four scrape
/// intervals.
/// </summary>
public sealed partial class DashboardVariables(IReadOnlyDictionary<string, string> chosen)
{
    public const string SectionName = $"{SandboxSettings.SectionName}:Dashboards";

    public static readonly string RateInterval = $"{4 * PrometheusConfig.Interval.TotalSeconds:0}s";

    /// <summary>Every variable at "All", as Grafana opens the dashboards.</summary>
    public static DashboardVariables AllValues { get; } = new(new Dictionary<string, string>());

    public IReadOnlyDictionary<string, string> Chosen => chosen;

    public string Resolve(string query) =>
        Variable().Replace(query, match => match.Groups["name"].Value switch
        {
            "__rate_interval" or "__interval" => RateInterval,
            var name => chosen.GetValueOrDefault(name, ".*"),
        });

    /// <summary>
    /// The values chosen in <c>Sandbox:Dashboards</c>: each must name a variable some dashboard declares, and be a
    /// plain label value (it goes into a regular expression match); anything else is a setup error.
    /// </summary>
    public static DashboardVariables Read(IConfiguration configuration, IReadOnlyList<GrafanaDashboard> dashboards)
    {
        var declared = dashboards.SelectMany(d => d.Variables).ToHashSet(StringComparer.Ordinal);
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in configuration.GetSection(SectionName).GetChildren())
        {
            if (!declared.Contains(setting.Key))
            {
                throw new SandboxSetupException(
                    $"{SectionName}:{setting.Key} is not a dashboard variable; the dashboards declare {string.Join(", ", declared.Order(StringComparer.Ordinal))}.");
            }

            if (setting.Value is not { } value || !LabelValue().IsMatch(value))
            {
                throw new SandboxSetupException(
                    $"{SectionName}:{setting.Key} must be one label value (letters, digits, '_' or '-'), not '{setting.Value}'.");
            }

            chosen[setting.Key] = value;
        }

        return new DashboardVariables(chosen);
    }

    // $name, ${name}, ${name:format} and the old [[name]].
    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_]\w*)(?::\w+)?\}|\$(?<name>[A-Za-z_]\w*)|\[\[(?<name>[A-Za-z_]\w*)\]\]")]
    private static partial Regex Variable();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex LabelValue();
}
