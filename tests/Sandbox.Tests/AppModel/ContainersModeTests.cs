using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.AppModel;

/// <summary>Container mode is what laptops with Docker get; nothing here can start it, so its model is checked instead.</summary>
public sealed class ContainersModeTests() : ModelTest("containers")
{
    [Fact]
    public void Seven_resources_carry_the_names_operators_use()
    {
        var names = Builder.SandboxResources().Select(r => r.Name).Order();

        Assert.Equal(["filestore", "grafana", "metastore", "prometheus", "queue-board", "redis", "timestore"], names);
    }

    [Fact]
    public void Every_container_image_is_pinned_to_an_explicit_tag()
    {
        var images = Builder.Resources.OfType<ContainerResource>()
            .Select(c => c.Annotations.OfType<ContainerImageAnnotation>().Last())
            .ToDictionary(i => i.Image, i => i.Tag);

        Assert.Equal(ContainerImages.RedisTag, images[ContainerImages.Redis]);
        Assert.Equal(ContainerImages.PrometheusTag, images[ContainerImages.Prometheus]);
        Assert.Equal(ContainerImages.GrafanaTag, images[ContainerImages.Grafana]);
        Assert.All(images.Values, tag => Assert.Matches(@"^v?\d+\.\d+\.\d+$", tag));
    }

    [Fact]
    public void Bind_mount_sources_exist_before_anything_starts()
    {
        var mounts = Builder.Resources.OfType<ContainerResource>()
            .SelectMany(c => c.Annotations.OfType<ContainerMountAnnotation>())
            .Where(m => m.Type == ContainerMountType.BindMount)
            .ToList();

        Assert.NotEmpty(mounts);
        Assert.All(mounts, m => Assert.True(Directory.Exists(m.Source) || File.Exists(m.Source), $"missing bind-mount source {m.Source}"));
        Assert.Contains(mounts, m => m.Source == Repository.PathOf("dashboards", "grafana", "provisioning"));
        Assert.Contains(mounts, m => m.Source == Repository.PathOf("dashboards", "grafana", "dashboards"));
        Assert.Contains(mounts, m => m.Source == Repository.PathOf("dashboards", "prometheus", "rules"));
    }

    [Fact]
    public void The_redis_container_is_started_again_when_it_crashes()
    {
        Assert.Single(Builder.Resource("redis").Annotations.OfType<RestartOnFailureAnnotation>());
    }

    [Fact]
    public void Services_reference_redis_and_wait_for_it()
    {
        foreach (var service in new[] { "filestore", "metastore", "timestore" })
        {
            var resource = Builder.Resource(service);
            Assert.Contains("redis", resource.References());
            Assert.Contains("redis", resource.WaitsFor());
        }
    }

    [Fact]
    public void Prometheus_starts_alongside_the_services_and_grafana_waits_for_prometheus()
    {
        Assert.Empty(Builder.Resource("prometheus").WaitsFor());
        Assert.Equal(["prometheus"], Builder.Resource("grafana").WaitsFor());
    }

    [Fact]
    public async Task Grafana_is_provisioned_with_anonymous_read_access_and_the_prometheus_address()
    {
        var grafana = Builder.Resource("grafana");

        var environment = await grafana.EnvironmentWithoutResolvingAsync();

        Assert.Equal("true", environment["GF_AUTH_ANONYMOUS_ENABLED"]);
        Assert.Equal("Viewer", environment["GF_AUTH_ANONYMOUS_ORG_ROLE"]);
        var prometheusUrl = Assert.IsType<EndpointReference>(environment["PROMETHEUS_URL"]);
        Assert.Equal("prometheus", prometheusUrl.Resource.Name);
        Assert.Contains(grafana.Annotations.OfType<HealthCheckAnnotation>(), h => h.Key.StartsWith("grafana", StringComparison.Ordinal));
    }

    [Fact]
    public void Prometheus_3_in_its_container_shows_the_dashboard_views_on_its_query_page()
    {
        var views = Builder.Resource("prometheus").Annotations.OfType<DashboardViewsAnnotation>().Single();

        Assert.Equal("/query", views.Page.Path);
        Assert.Equal("/alerts", views.Page.AlertsPath);
        Assert.All(views.Views, view => Assert.Single(views.Page.Split(view.Panels)));
    }

    [Fact]
    public async Task Grafana_links_every_provisioned_dashboard_by_its_uid()
    {
        var grafana = (IResourceWithEndpoints)Builder.Resource("grafana");
        var context = new ResourceUrlsCallbackContext(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), grafana,
            [new ResourceUrlAnnotation { Url = "http://localhost:13000", Endpoint = grafana.GetEndpoint(GrafanaExtensions.EndpointName) }]);

        foreach (var callback in grafana.Annotations.OfType<ResourceUrlsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        var uids = Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json").Select(GrafanaDashboard.Load).Select(d => d.Uid);
        Assert.Equal(uids.Select(uid => $"http://localhost:13000/d/{uid}").Order(), context.Urls.Where(u => u.DisplayText?.StartsWith("Dashboard: ", StringComparison.Ordinal) == true).Select(u => u.Url).Order());
    }
}
