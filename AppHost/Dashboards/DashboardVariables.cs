using System.Text.RegularExpressions;

namespace Sandbox.AppHost;

/// <summary>
/// Replaces a dashboard's variables the way Grafana would with its defaults, so a panel's query runs in plain
/// Prometheus: every template variable at "All" (the dashboards filter with <c>=~</c>, so "All" is <c>.*</c>) and
/// <c>$__rate_interval</c> at its floor, four scrape intervals.
/// </summary>
public static partial class DashboardVariables
{
    public static readonly string RateInterval = $"{4 * PrometheusConfig.Interval.TotalSeconds:0}s";

    public static string Resolve(string query) =>
        Variable().Replace(query, match => match.Groups["name"].Value switch
        {
            "__rate_interval" or "__interval" => RateInterval,
            _ => ".*",
        });

    // $name, ${name}, ${name:format} and the old [[name]].
    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_]\w*)(?::\w+)?\}|\$(?<name>[A-Za-z_]\w*)|\[\[(?<name>[A-Za-z_]\w*)\]\]")]
    private static partial Regex Variable();
}
