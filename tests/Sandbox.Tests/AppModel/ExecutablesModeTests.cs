using Aspire.Hosting.ApplicationModel;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.AppModel;

public sealed class ExecutablesModeTests() : ModelTest("executables")
{
    [Fact]
    public void Has_no_container_resources_because_no_engine_is_assumed()
    {
        Assert.Empty(Builder.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public void Grafana_is_skipped_and_the_other_six_resources_remain()
    {
        var names = Builder.SandboxResources().Select(r => r.Name).Order();

        Assert.Equal(["filestore", "metastore", "prometheus", "queue-board", "redis", "timestore"], names);
    }

    [Fact]
    public async Task Redis_server_runs_from_path_with_its_data_under_the_state_directory()
    {
        var redis = Assert.IsType<RedisServerResource>(Builder.Resource("redis"));

        var args = await Infrastructure.AppModel.ArgumentsWithoutResolvingAsync(redis);

        Assert.EndsWith("redis-server", redis.Command, StringComparison.Ordinal);
        Assert.StartsWith(StateDirectory, redis.DataDirectory, StringComparison.Ordinal);
        Assert.True(Directory.Exists(redis.DataDirectory));
        Assert.Contains("--appendonly yes", args, StringComparison.Ordinal);
        Assert.Contains("--maxmemory-policy noeviction", args, StringComparison.Ordinal);
        Assert.Contains("--bind 127.0.0.1", args, StringComparison.Ordinal);
        Assert.Contains($"--dir {redis.DataDirectory}", args, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_server_is_started_again_when_it_crashes_with_a_backoff_that_doubles_up_to_30_seconds()
    {
        var restart = Builder.Resource("redis").Annotations.OfType<RestartOnFailureAnnotation>().Single();

        int[] crashesInARow = [1, 2, 3, 4, 5, 6, 100];

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], crashesInARow.Select(crashes => restart.DelayAfter(crashes).TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(1), restart.StableAfter);
    }

    [Fact]
    public async Task Prometheus_runs_from_path_with_generated_config_and_its_own_data_folder()
    {
        var prometheus = Assert.IsType<PrometheusServerResource>(Builder.Resource("prometheus"));

        var args = await Infrastructure.AppModel.ArgumentsWithoutResolvingAsync(prometheus);

        Assert.EndsWith("prometheus", prometheus.Command, StringComparison.Ordinal);
        Assert.Contains($"--config.file={Path.Combine(StateDirectory, "prometheus", "config", "prometheus.yml")}", args, StringComparison.Ordinal);
        Assert.Contains($"--storage.tsdb.path={Path.Combine(StateDirectory, "prometheus", "data")}", args, StringComparison.Ordinal);
        Assert.Equal(Repository.PathOf("dashboards", "prometheus", "rules"), prometheus.Layout.RulesDirectory);
    }

    private static readonly string[] ModeChanging = ["runbook-cutover", "runbook-rollback"];
    private static readonly string[] RunbookCommands = ["runbook-dry-run", "runbook-approve", "runbook-cutover", "runbook-rollback"];

    [Fact]
    public void Filestore_offers_the_runbook_the_drills_by_their_runbook_names_and_the_trainers_switches_as_dashboard_commands()
    {
        var commands = Builder.Resource("filestore").Annotations.OfType<ResourceCommandAnnotation>().ToDictionary(c => c.Name);

        Assert.Subset(commands.Keys.ToHashSet(), new HashSet<string>
        {
            "runbook-dry-run", "runbook-approve", "runbook-cutover", "runbook-rollback", "start-drill-traffic", "stop-drill-traffic", "clear-drills",
            "enable-watchers", "disable-watchers", "pause-publishing", "resume-publishing", "seed-all",
        });
        var drills = global::Runbook.Drills.DrillScenario.All.ToLookup(s => s.EndsOnItsOwn, s => s.Name);
        Assert.Subset(commands.Keys.ToHashSet(), drills[false].ToHashSet());
        // The Redis outage is the redis resource's command there (a real stop); the CLI's pause ends on its own.
        Assert.All(drills[true], name => Assert.DoesNotContain(name, commands.Keys));
        Assert.Contains(RedisOutageCommand.Name, Builder.Resource("redis").Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name));
        // Changing modes asks first, and names where: an environment from a fixed list and a service.
        Assert.All(ModeChanging, name => Assert.False(string.IsNullOrEmpty(commands[name].ConfirmationMessage)));
        Assert.All(RunbookCommands, name =>
            Assert.Equal(["staging", "production"], commands[name].Arguments!.Single(a => a.Name == "env").Options!.Select(o => o.Key)));
        Assert.True(commands["runbook-approve"].Arguments!.Single(a => a.Name == "approver").Required);
    }

    [Fact]
    public void Services_wait_for_redis_and_prometheus_waits_for_nothing()
    {
        Assert.All(["filestore", "metastore", "timestore"], name => Assert.Equal(["redis"], Builder.Resource(name).WaitsFor()));
        Assert.Empty(Builder.Resource("prometheus").WaitsFor());
    }

    [Fact]
    public async Task Consumers_are_one_project_started_in_two_roles()
    {
        var metastore = await Builder.Resource("metastore").EnvironmentWithoutResolvingAsync();
        var timestore = await Builder.Resource("timestore").EnvironmentWithoutResolvingAsync();

        Assert.Equal("metastore", metastore["Consumer__Role"]);
        Assert.Equal("timestore", timestore["Consumer__Role"]);
        // Both read Filestore's managed roots for their consistency check.
        Assert.All([metastore, timestore], e => Assert.Equal(Path.Combine(StateDirectory, "filestore"), e["Consumer__DataDirectory"]));
    }

    [Fact]
    public void Each_consumer_offers_the_stall_fault_as_dashboard_commands()
    {
        foreach (var consumer in new[] { "metastore", "timestore" })
        {
            var commands = Builder.Resource(consumer).Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).ToHashSet();
            Assert.Subset(commands, new HashSet<string> { "stall", "slow-down", "clear-stall" });
        }
    }

    [Fact]
    public async Task Filestore_keeps_its_managed_roots_in_the_state_directory_and_gets_an_operator_token()
    {
        var environment = await Builder.Resource("filestore").EnvironmentWithoutResolvingAsync();

        Assert.Equal(Path.Combine(StateDirectory, "filestore"), environment["Filestore__DataDirectory"]);
        var token = Assert.IsType<ParameterResource>(environment["Filestore__OperatorToken"]);
        Assert.True(token.Secret);
    }

    [Fact]
    public void Prometheus_carries_a_view_of_every_grafana_dashboard_on_the_graph_page_of_the_installed_prometheus()
    {
        var views = Builder.Resource("prometheus").Annotations.OfType<DashboardViewsAnnotation>().Single();

        Assert.Equal(
            Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json").Length,
            views.Views.Select(v => v.Uid).Distinct().Count());
        // The page of the Prometheus on PATH: Debian's 2.42 (CI) serves only the classic pages, Homebrew's 3.x the new ones.
        var prometheus = Assert.IsType<PrometheusServerResource>(Builder.Resource("prometheus"));
        Assert.Equal(PrometheusGraphPage.OfBinary(prometheus.Command).Path, views.Page.Path);
    }

    [Fact]
    public async Task Views_narrowed_at_start_show_the_chosen_environment_and_service()
    {
        using var state = new TempDirectory("model-narrowed");
        await using var builder = await Infrastructure.AppModel.BuildAsync(Runtime, state.Path, "Sandbox:Dashboards:env=production", "Sandbox:Dashboards:service=reports");

        var views = builder.Resource("prometheus").Annotations.OfType<DashboardViewsAnnotation>().Single().Views;

        var cutover = views.Single(v => v.Uid == "filestore-cutover");
        Assert.Equal("Filestore cutover overview (env=production, service=reports)", cutover.Title);
        Assert.Contains(cutover.Expressions, e => e.Contains("service=~\"reports\"", StringComparison.Ordinal));
    }
}
