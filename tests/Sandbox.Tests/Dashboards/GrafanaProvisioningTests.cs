using System.Text.Json;
using Sandbox.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Sandbox.Tests.Dashboards;

public sealed class GrafanaProvisioningTests
{
    public const string DatasourceUid = "sandbox-prometheus";

    public static IEnumerable<object[]> DashboardFiles() =>
        Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json")
            .Select(file => new object[] { Path.GetFileName(file) });

    [Fact]
    public void The_datasource_has_the_fixed_uid_and_takes_its_url_from_the_apphost()
    {
        var datasource = LoadYaml("datasources", "prometheus.yml")["datasources"][0];

        Assert.Equal(DatasourceUid, datasource["uid"].ToString());
        Assert.Equal("prometheus", datasource["type"].ToString());
        Assert.Equal("${PROMETHEUS_URL}", datasource["url"].ToString());
    }

    [Fact]
    public void The_dashboard_provider_loads_the_mounted_dashboard_folder()
    {
        var provider = LoadYaml("dashboards", "sandbox.yml")["providers"][0];

        Assert.Equal("file", provider["type"].ToString());
        Assert.Equal("/var/lib/grafana/dashboards", provider["options"]["path"].ToString());
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Every_panel_names_the_datasource_by_uid_and_has_a_title_description_and_unit(string file)
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("dashboards", "grafana", "dashboards", file)));

        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();

        Assert.NotEmpty(panels);
        Assert.All(panels, panel =>
        {
            var title = panel.GetProperty("title").GetString();
            Assert.False(string.IsNullOrWhiteSpace(title));
            Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("description").GetString()), $"{title}: no description");
            Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString()), $"{title}: no unit");
            Assert.Equal(DatasourceUid, panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.All(panel.GetProperty("targets").EnumerateArray(), target =>
                Assert.Equal(DatasourceUid, target.GetProperty("datasource").GetProperty("uid").GetString()));
        });
    }

    private static YamlNode LoadYaml(string folder, string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Repository.PathOf("dashboards", "grafana", "provisioning", folder, file));
        yaml.Load(reader);
        return yaml.Documents[0].RootNode;
    }
}
