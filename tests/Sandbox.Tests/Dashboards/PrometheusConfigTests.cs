using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Dashboards;

public sealed class PrometheusConfigTests
{
    private static readonly string RulesDirectory = Repository.PathOf("dashboards", "prometheus", "rules");

    [Fact]
    public async Task Generated_configuration_passes_promtool_with_the_repository_rules()
    {
        using var folder = new TempDirectory("promconfig");
        var file = Path.Combine(folder.Path, PrometheusConfig.FileName);
        await File.WriteAllTextAsync(file, PrometheusConfig.Render(
            [new ScrapeJob("prometheus", "127.0.0.1:19090"), new ScrapeJob("filestore", "127.0.0.1:40001")], RulesDirectory));

        var (exitCode, output) = await Promtool.RunAsync("check", "config", file);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_service_becomes_a_scrape_job_named_after_its_resource_at_a_5s_interval()
    {
        var yaml = PrometheusConfig.Render(
            [new ScrapeJob("filestore", "127.0.0.1:40001"), new ScrapeJob("metastore", "aspire.dev.internal:40002")], "/rules");

        Assert.Contains("scrape_interval: 5s", yaml, StringComparison.Ordinal);
        Assert.Contains("evaluation_interval: 5s", yaml, StringComparison.Ordinal);
        Assert.Contains("- job_name: 'filestore'\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['127.0.0.1:40001']", yaml, StringComparison.Ordinal);
        Assert.Contains("- targets: ['aspire.dev.internal:40002']", yaml, StringComparison.Ordinal);
        Assert.Contains("- '/rules/*.yml'", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_rule_file_passes_promtool_check_rules()
    {
        var files = RuleFiles.All();
        Assert.NotEmpty(files);

        foreach (var file in files)
        {
            var (exitCode, output) = await Promtool.RunAsync("check", "rules", file);
            Assert.True(exitCode == 0, $"{Path.GetFileName(file)}: {output}");
        }
    }
}
