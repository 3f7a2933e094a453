using Sandbox.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Sandbox.Tests.Dashboards;

public sealed class GrafanaProvisioningTests
{
    [Fact]
    public void The_datasource_has_the_fixed_uid_and_takes_its_url_from_the_apphost()
    {
        var datasource = LoadYaml("datasources", "prometheus.yml")["datasources"][0];

        Assert.Equal(DashboardLinter.DatasourceUid, datasource["uid"].ToString());
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

    private static YamlNode LoadYaml(string folder, string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Repository.PathOf("dashboards", "grafana", "provisioning", folder, file));
        yaml.Load(reader);
        return yaml.Documents[0].RootNode;
    }
}
