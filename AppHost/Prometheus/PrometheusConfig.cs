using System.Globalization;
using System.Text;

namespace Sandbox.AppHost;

/// <summary>Renders the Prometheus configuration; the same text works on Debian's 2.42 and the pinned 3.x image.</summary>
public static class PrometheusConfig
{
    public const string FileName = "prometheus.yml";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static string Render(IEnumerable<ScrapeJob> jobs, string rulesDirectory)
    {
        var interval = $"{Interval.TotalSeconds:0}s";
        var text = new StringBuilder()
            .AppendLine("# Written by the sandbox AppHost at every start from the ports Aspire allocated; edits here are overwritten.")
            .AppendLine("global:")
            .AppendLine(CultureInfo.InvariantCulture, $"  scrape_interval: {interval}")
            .AppendLine(CultureInfo.InvariantCulture, $"  evaluation_interval: {interval}")
            .AppendLine("  external_labels:")
            .AppendLine("    sandbox: filestore-cutover")
            .AppendLine("rule_files:")
            .AppendLine(CultureInfo.InvariantCulture, $"  - '{rulesDirectory}/*.yml'")
            .AppendLine("scrape_configs:");
        foreach (var job in jobs)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: '{job.JobName}'")
                .AppendLine("    metrics_path: /metrics")
                .AppendLine("    static_configs:")
                .AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['{job.Target}']");
        }

        return text.ToString();
    }
}
