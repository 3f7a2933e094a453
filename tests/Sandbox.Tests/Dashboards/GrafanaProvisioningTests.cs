using System.Text.Json;
using Sandbox.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Sandbox.Tests.Dashboards;

public sealed class GrafanaProvisioningTests
{
    private const string SandboxUid = "sandbox-prometheus";

    [Fact]
    public void The_datasource_has_the_fixed_uid_is_the_default_and_takes_its_url_from_the_apphost()
    {
        var datasource = LoadYaml("datasources", "prometheus.yml")["datasources"][0];

        Assert.Equal(SandboxUid, datasource["uid"].ToString());
        Assert.Equal("prometheus", datasource["type"].ToString());
        Assert.Equal("${PROMETHEUS_URL}", datasource["url"].ToString());
        Assert.Equal("true", datasource["isDefault"].ToString());
    }

    // Grafana starts a datasource variable on its saved current value when a datasource has that uid, and otherwise on
    // a Prometheus of its own (the default one where it is a Prometheus): the sandbox's is both.
    [Theory]
    [MemberData(nameof(DashboardLintTests.DashboardFiles), MemberType = typeof(DashboardLintTests))]
    public void Every_dashboard_s_datasource_variable_starts_on_the_provisioned_prometheus(string file)
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("dashboards", "grafana", "dashboards", file)));

        var variable = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == DashboardLinter.DatasourceVariable);
        Assert.Equal(SandboxUid, variable.GetProperty("current").GetProperty("value").GetString());
        Assert.DoesNotContain(SandboxUid, dashboard.RootElement.GetProperty("panels").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_dashboard_provider_loads_the_mounted_dashboard_folder()
    {
        var provider = LoadYaml("dashboards", "sandbox.yml")["providers"][0];

        Assert.Equal("file", provider["type"].ToString());
        Assert.Equal("/var/lib/grafana/dashboards", provider["options"]["path"].ToString());
    }

    private static YamlNode LoadYaml(string folder, string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Repository.PathOf("dashboards", "grafana", "provisioning", folder, file));
        yaml.Load(reader);
        return yaml.Documents[0].RootNode;
    }
}
