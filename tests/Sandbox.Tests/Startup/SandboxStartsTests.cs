using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;
using StackExchange.Redis;

namespace Sandbox.Tests.Startup;

[Collection(RunningSandbox.Name)]
public sealed class SandboxStartsTests(SandboxFixture sandbox)
{
    [Fact]
    public void Every_resource_is_running_and_healthy()
    {
        var notifications = sandbox.App.Services.GetRequiredService<ResourceNotificationService>();

        foreach (var name in SandboxFixture.AllResources)
        {
            Assert.True(notifications.TryGetCurrentState(name, out var resourceEvent), $"{name} has no state");
            Assert.Equal(KnownResourceStates.Running, resourceEvent.Snapshot.State?.Text);
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, resourceEvent.Snapshot.HealthStatus);
        }
    }

    [Fact]
    public async Task Prometheus_scrapes_all_three_services_at_their_allocated_ports()
    {
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));

        var healthy = await Waits.UntilAsync("filestore, metastore and timestore targets up", Waits.Scrape, async ct =>
        {
            var targets = await prometheus.ActiveTargetsAsync(ct);
            var up = targets.Where(t => t.GetProperty("health").GetString() == "up")
                .Select(t => t.GetProperty("labels").GetProperty("job").GetString()!)
                .ToHashSet();
            var states = string.Join(", ", targets.Select(t => $"{t.GetProperty("labels").GetProperty("job")}={t.GetProperty("health")}"));
            return (SandboxFixture.Services.All(up.Contains) ? up : null, states);
        });

        Assert.Superset(new HashSet<string>(SandboxFixture.Services), healthy);
    }

    [Fact]
    public async Task The_up_query_returns_1_for_each_service()
    {
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));

        var series = await Waits.UntilAsync("up == 1 for every service", Waits.Scrape, async ct =>
        {
            var result = await prometheus.QueryAsync("up", ct);
            var upJobs = result.Where(s => PrometheusClient.Value(s) == 1).Select(s => PrometheusClient.Label(s, "job")).ToList();
            return (SandboxFixture.Services.All(upJobs.Contains) ? result : null, $"up for: {string.Join(", ", upJobs)}");
        });

        foreach (var service in SandboxFixture.Services)
        {
            Assert.Equal(1, PrometheusClient.Value(series.Single(s => PrometheusClient.Label(s, "job") == service)));
        }
    }

    [Fact]
    public async Task Redis_answers_through_the_connection_string_aspire_gives_and_is_configured_not_to_lose_data()
    {
        var connectionString = await sandbox.App.GetConnectionStringAsync("redis");
        var options = ConfigurationOptions.Parse(connectionString!);
        options.AllowAdmin = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var server = redis.GetServers().Single();

        var pong = await redis.GetDatabase().PingAsync();
        var config = (await server.ConfigGetAsync("*")).ToDictionary(kv => kv.Key, kv => kv.Value);

        Assert.True(pong < Waits.Request);
        Assert.Equal("yes", config["appendonly"]);
        Assert.Equal("noeviction", config["maxmemory-policy"]);
        Assert.StartsWith(sandbox.StateDirectory, config["dir"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_report_redis_connectivity_as_a_metric()
    {
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));

        var series = await Waits.UntilAsync("health_check_status for redis from every service", Waits.Scrape, async ct =>
        {
            var result = await prometheus.QueryAsync("""max by (job) (health_check_status{check=~".*[Rr]edis.*"})""", ct);
            var jobs = result.Select(s => PrometheusClient.Label(s, "job")).ToList();
            return (SandboxFixture.Services.All(jobs.Contains) ? result : null, $"reported by: {string.Join(", ", jobs)}");
        });

        Assert.All(series, s => Assert.Equal(1, PrometheusClient.Value(s)));
    }

    [Fact]
    public async Task Endpoints_file_is_written_and_every_address_in_it_answers()
    {
        var file = Path.Combine(sandbox.StateDirectory, SandboxAddresses.FileName);

        var addresses = await Waits.UntilAsync("endpoints.json", Waits.Scrape, async ct =>
            File.Exists(file)
                ? (JsonSerializer.Deserialize<SandboxAddresses>(await File.ReadAllTextAsync(file, ct)), "written")
                : (null, "not written yet"));

        Assert.Equal("executables", addresses.Runtime);
        Assert.Equal(["filestore", "grafana", "metastore", "prometheus", "queue-board", "redis", "timestore"], addresses.Resources.Keys.Order());
        Assert.NotNull(addresses.Resources["grafana"].Skipped);

        using var http = new HttpClient { Timeout = Waits.Request };
        foreach (var service in new[] { "filestore", "metastore", "timestore", "queue-board" })
        {
            using var health = await http.GetAsync(new Uri(new Uri(addresses.Resources[service].Url!), "/health"));
            Assert.True(health.IsSuccessStatusCode, $"{service} /health answered {health.StatusCode}");
        }

        // The operator token listed beside Filestore's address is the one Filestore accepts.
        using var whoami = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(addresses.Resources["filestore"].Url!), "/access/whoami"));
        whoami.Headers.Authorization = new("Bearer", addresses.Resources["filestore"].OperatorToken);
        using var me = await http.SendAsync(whoami);
        Assert.True(me.IsSuccessStatusCode, $"whoami with the listed operator token answered {me.StatusCode}");

        using var ready = await http.GetAsync(new Uri(new Uri(addresses.Resources["prometheus"].Url!), "/-/ready"));
        Assert.True(ready.IsSuccessStatusCode, $"prometheus /-/ready answered {ready.StatusCode}");

        await using var redis = await ConnectionMultiplexer.ConnectAsync(addresses.Resources["redis"].ConnectionString!);
        await redis.GetDatabase().PingAsync();
    }

    [Fact]
    public async Task Filestore_publishes_the_bullmq_queue_gauges_for_both_event_queues()
    {
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        string[] queues = ["metastore-events", "timestore-events"];

        var series = await Waits.UntilAsync("bullmq_job_count for both queues", Waits.Scrape, async ct =>
        {
            var result = await prometheus.QueryAsync("""bullmq_job_count{job="filestore"}""", ct);
            var seen = result.Select(s => PrometheusClient.Label(s, "queue")).Distinct().ToList();
            return (queues.All(seen.Contains) ? result : null, $"queues seen: {string.Join(", ", seen)}");
        });

        foreach (var queue in queues)
        {
            var states = series.Where(s => PrometheusClient.Label(s, "queue") == queue).Select(s => PrometheusClient.Label(s, "state")).Order();
            Assert.Equal(["active", "completed", "delayed", "failed", "prioritized", "waiting", "waiting-children"], states);
            Assert.Single(await prometheus.QueryAsync($$"""bullmq_queue_paused{queue="{{queue}}"}"""));
            Assert.Single(await prometheus.QueryAsync($$"""bullmq_queue_oldest_waiting_age_seconds{queue="{{queue}}"}"""));
        }
    }

    [Fact]
    public async Task The_queue_board_shows_both_queues_each_with_its_consumer_attached()
    {
        using var board = sandbox.HttpClientFor("queue-board");
        string[] queues = ["metastore-events", "timestore-events"];

        var listing = await Waits.UntilAsync("both queues listed with workers", Waits.Scrape, async ct =>
        {
            var body = JsonNode.Parse(await board.GetStringAsync("/api/queues", ct))!;
            var attached = body["queues"]!.AsArray().Where(q => q!["hasWorkers"]!.GetValue<bool>()).Select(q => q!["name"]!.GetValue<string>()).ToList();
            return (queues.All(attached.Contains) ? body : null, $"queues with workers: {string.Join(", ", attached)}");
        });

        Assert.Equal(queues, listing["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()).Order());
        foreach (var (queue, consumer) in new[] { ("metastore-events", "metastore"), ("timestore-events", "timestore") })
        {
            var workers = JsonNode.Parse(await board.GetStringAsync($"/api/queues/{queue}/workers"))!["workers"]!.AsArray();
            Assert.Equal(consumer, Assert.Single(workers)!["name"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("filestore", "FilestoreStub")]
    [InlineData("metastore", "SampleConsumer")]
    [InlineData("timestore", "SampleConsumer")]
    public void Services_run_from_their_built_dll_not_through_dotnet_run(string service, string project)
    {
        var notifications = sandbox.App.Services.GetRequiredService<ResourceNotificationService>();
        Assert.True(notifications.TryGetCurrentState(service, out var state), $"{service} has no state");

        var properties = state.Snapshot.Properties.ToDictionary(p => p.Name, p => p.Value);
        var path = Assert.IsType<string>(properties["executable.path"]);
        var args = ((System.Collections.IEnumerable)properties["executable.args"]!).Cast<object>().Select(a => a.ToString()).ToList();

        Assert.EndsWith("dotnet", path, StringComparison.Ordinal);
        Assert.Equal(Repository.PathOf(project, "bin", BuiltOutput.Configuration, BuiltOutput.TargetFramework, $"{project}.dll"), args[0]);
        Assert.DoesNotContain("run", args);
    }
}
