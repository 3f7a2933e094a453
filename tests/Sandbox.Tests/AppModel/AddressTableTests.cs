using Sandbox.AppHost;

namespace Sandbox.Tests.AppModel;

/// <summary>The table of addresses the AppHost logs once the sandbox is up: what an operator copies links from.</summary>
public sealed class AddressTableTests
{
    private static readonly Dictionary<string, SandboxAddress> Resources = new()
    {
        ["redis"] = new("redis://localhost:6379", "localhost:6379,password=p"),
        ["prometheus"] = new("http://localhost:19090"),
    };

    [Fact]
    public void Executables_mode_lists_each_resource_then_each_dashboard_page_by_title()
    {
        var addresses = new SandboxAddresses("executables", DateTimeOffset.UnixEpoch,
            new Dictionary<string, SandboxAddress>(Resources) { ["grafana"] = new(null, Skipped: "no engine") },
            new Dictionary<string, DashboardAddress>
            {
                ["filestore-cutover"] = new("Filestore cutover overview", ["http://p/1", "http://p/2"]),
                ["filestore-queues"] = new("Filestore event queues", ["http://p/3"]),
            });

        Assert.Equal(
            """
              redis       redis://localhost:6379
              prometheus  http://localhost:19090
              grafana     skipped: no engine
              dashboards (Prometheus graph views; also among the prometheus resource's links in the Aspire dashboard):
                Filestore cutover overview (1 of 2)  http://p/1
                Filestore cutover overview (2 of 2)  http://p/2
                Filestore event queues               http://p/3
            """,
            addresses.Table().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Containers_mode_also_lists_each_dashboard_in_grafana()
    {
        var addresses = new SandboxAddresses("containers", DateTimeOffset.UnixEpoch, Resources,
            new Dictionary<string, DashboardAddress>
            {
                ["filestore-queues"] = new("Filestore event queues", ["http://p/3"], "http://g/d/filestore-queues"),
                ["sandbox-overview"] = new("Sandbox overview", ["http://p/4"], "http://g/d/sandbox-overview"),
            });

        var table = addresses.Table().ReplaceLineEndings("\n");

        Assert.EndsWith(
            """
              dashboards in Grafana:
                Filestore event queues  http://g/d/filestore-queues
                Sandbox overview        http://g/d/sandbox-overview
            """,
            table);
    }
}
