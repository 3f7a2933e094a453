using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sandbox.Tests.Infrastructure;
using static Sandbox.Tests.Infrastructure.FilestoreCalls;
using StackExchange.Redis;

namespace Sandbox.Tests.Startup;

/// <summary>
/// The runbook's rehearsal in the running sandbox, with API calls only: billing in staging from manual through
/// shadow to managed and back, every gate refusing while its precondition is missing, and every command, drift and
/// seed arriving as an event in both queues.
/// </summary>
[Collection(RunningSandbox.Name)]
public sealed partial class CutoverRehearsalTests(SandboxFixture sandbox)
{
    private const string Route = "/envs/staging/services/billing";
    private static readonly string[] Queues = ["metastore-events", "timestore-events"];
    private static readonly object BillingPolicy = new
    {
        rules = new[] { new { principal = "billing-app", service = "billing", commands = new[] { "put", "mkdir", "move", "delete" }, prefixes = new[] { "*" } } },
    };

    private static async Task<List<string>> FailedGatesAsync(HttpClient client, string to)
    {
        using var response = await client.PostAsJsonAsync($"{Route}/cutover", new { to });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{to}: {response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("failedGates").EnumerateArray().Select(g => g.GetProperty("name").GetString()!).ToList();
    }



    // A job of the event is in the queue (waiting, or already taken by a consumer and kept as completed).
    private static async Task<bool> InBothQueuesAsync(IDatabase redis, string eventId) =>
        await redis.KeyExistsAsync($"bull:{Queues[0]}:{eventId}") && await redis.KeyExistsAsync($"bull:{Queues[1]}:{eventId}");

    [Fact]
    public async Task An_operator_takes_billing_from_manual_through_shadow_to_managed_and_back_with_api_calls_only()
    {
        var operatorClient = await sandbox.FilestoreOperatorAsync();
        await using var redisConnection = await ConnectionMultiplexer.ConnectAsync((await sandbox.App.GetConnectionStringAsync("redis"))!);
        var redis = redisConnection.GetDatabase();
        // The runbook's doc-test rehearses the same service and leaves it rolled back, with publishing paused, its
        // policy rule applied and its token issued: take those away so every precondition starts missing.
        await OkAsync(operatorClient.PutAsJsonAsync($"{Route}/publishing", new { enabled = true }));
        var policy = await OkAsync(operatorClient.GetAsync("/envs/staging/policy"));
        var otherServices = policy.GetProperty("rules").EnumerateArray().Where(r => r.GetProperty("service").GetString() != "billing").ToList();
        await OkAsync(operatorClient.PutAsJsonAsync("/envs/staging/policy", new { rules = otherServices }));
        await OkAsync(operatorClient.PostAsJsonAsync("/access/tokens/revoke", new { principal = "billing-app" }));
        await OkAsync(operatorClient.PutAsJsonAsync($"{Route}/watcher", new { enabled = false }));

        // Prometheus has seen the switch counters before any switch (Filestore starts them at 0), as on any sandbox
        // older than a minute: a counter first scraped at 1 shows no increase, and the annotations below would miss it.
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        await Waits.UntilAsync("the switch counters of staging/billing in Prometheus", Waits.Scrape, async ct =>
        {
            var counters = await prometheus.QueryAsync("""filestore_cutover_transitions_total{env="staging", service="billing"}""", ct);
            return (counters.Count > 0 ? counters : null, "not scraped yet");
        });

        // Each missing precondition is named; meeting it removes exactly its gate from the refusal.
        var missing = await FailedGatesAsync(operatorClient, "shadow");
        Assert.Superset(new HashSet<string> { "policy", "token", "watcher" }, missing.ToHashSet());
        await OkAsync(operatorClient.PutAsJsonAsync("/envs/staging/policy", BillingPolicy));
        Assert.Equal(missing.Except(["policy"]), await FailedGatesAsync(operatorClient, "shadow"));
        var token = (await OkAsync(operatorClient.PostAsJsonAsync("/access/tokens", new { principal = "billing-app" }))).GetProperty("token").GetString();
        Assert.Equal(missing.Except(["policy", "token"]), await FailedGatesAsync(operatorClient, "shadow"));
        var seed = await OkAsync(operatorClient.PostAsync($"{Route}/seed", null));
        Assert.Equal(["watcher"], await FailedGatesAsync(operatorClient, "shadow"));
        await OkAsync(operatorClient.PutAsJsonAsync($"{Route}/watcher", new { enabled = true }));
        await OkAsync(operatorClient.PostAsJsonAsync($"{Route}/cutover", new { to = "shadow" }));

        // Shadow: commands are planned, nothing is written; promotion needs enough of them and an approval.
        var billing = sandbox.HttpClientFor("filestore");
        billing.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(["shadow-commands", "shadow-success-rate", "approval"], await FailedGatesAsync(operatorClient, "managed"));
        var root = Path.Combine(sandbox.StateDirectory, "filestore", "staging", "billing");
        for (var i = 0; i < 20; i++)
        {
            var plan = await OkAsync(CommandAsync(billing, Route, new { command = "put", path = $"rehearsal/shadow-{i}.txt", text = "planned" }));
            Assert.False(plan.GetProperty("executed").GetBoolean());
        }

        Assert.False(Directory.Exists(Path.Combine(root, "rehearsal")));
        Assert.Equal(["approval"], await FailedGatesAsync(operatorClient, "managed"));
        using var approver = await sandbox.NamedOperatorAsync("bob");
        await OkAsync(approver.PostAsJsonAsync($"{Route}/cutover/approval", new { note = "rehearsal" }));
        await OkAsync(operatorClient.PostAsJsonAsync($"{Route}/cutover", new { to = "managed" }));

        // Managed: commands are executed and published; an out-of-band change is drift.
        var put = await OkAsync(CommandAsync(billing, Route, new { command = "put", path = "rehearsal/managed.txt", text = "written by Filestore" }));
        Assert.Equal("written by Filestore", File.ReadAllText(Path.Combine(root, "rehearsal", "managed.txt")));
        File.WriteAllText(Path.Combine(root, "rehearsal", "by-hand.txt"), "written behind Filestore's back");
        Assert.True(await InBothQueuesAsync(redis, put.GetProperty("eventId").GetString()!));
        await Waits.UntilAsync("the drift event in both queues", Waits.Scrape, async ct =>
        {
            var keys = redisConnection.GetServers().Single().Keys(pattern: $"bull:{Queues[0]}:drift-*").Where(k => !k.ToString().EndsWith(":lock", StringComparison.Ordinal)).ToList();
            foreach (var key in keys)
            {
                var data = JsonDocument.Parse((await redis.HashGetAsync(key, "data")).ToString()).RootElement;
                if (data.GetProperty("path").GetString() == "rehearsal/by-hand.txt" && await InBothQueuesAsync(redis, key.ToString().Split(':')[^1]))
                {
                    return ((object?)data, "found");
                }
            }

            return (null, $"{keys.Count} drift events, none for rehearsal/by-hand.txt in both queues");
        });
        var seeded = seed.GetProperty("published").GetInt32() + seed.GetProperty("alreadyPublished").GetInt32();
        foreach (var queue in Queues)
        {
            var seedJobs = redisConnection.GetServers().Single().Keys(pattern: $"bull:{queue}:seed-*").Count(k => !k.ToString().EndsWith(":lock", StringComparison.Ordinal));
            Assert.True(seedJobs >= seeded, $"{queue} holds {seedJobs} seed events, the seeding published {seeded}");
        }

        // Rollback: its four steps in order, then manual again, where commands are refused.
        var rollback = await OkAsync(operatorClient.PostAsJsonAsync($"{Route}/cutover", new { to = "manual", drainDeadlineSeconds = 5 }));
        Assert.Equal(["disable-watcher", "stop-publishing", "drain-queues", "switch-to-manual"],
            rollback.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.All(rollback.GetProperty("steps").EnumerateArray(), s => Assert.Equal("done", s.GetProperty("outcome").GetString()));
        var exports = DrainedQueues(rollback.GetProperty("steps")[2].GetProperty("detail").GetString()!);
        Assert.Equal(Queues, exports.Select(e => e.Queue));
        foreach (var (queue, exported, file) in exports.Where(e => e.Exported > 0))
        {
            // What the drain could not hand to a consumer in time is in its export, one job per line; replaying it is
            // the runbook's way to deliver it.
            Assert.True(File.Exists(file), $"{queue}: the drain reports {exported} exported to {file}, which does not exist");
            Assert.Equal(exported, File.ReadLines(file!).Count(line => line.Length > 0));
            using var content = new StringContent(File.ReadAllText(file!), System.Text.Encoding.UTF8, "application/x-ndjson");
            var replayed = await OkAsync(operatorClient.PostAsync("/events/replay", content));
            Assert.Equal(exported, replayed.GetProperty("replayed").GetInt64() + replayed.GetProperty("alreadyPresent").GetInt64());
        }

        // The drain leaves the queues as it found them (running), and every change made while managed reached both
        // consumers, directly or through the export.
        var queues = await OkAsync(operatorClient.GetAsync("/queues"));
        Assert.All(queues.EnumerateArray(), q => Assert.False(q.GetProperty("paused").GetBoolean(), $"{q.GetProperty("queue")} is still paused"));
        await ConsumerChecks.UntilConsistentAsync(sandbox, "staging", "billing");
        using var refused = await CommandAsync(billing, Route, new { command = "put", path = "rehearsal/after.txt", text = "x" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var audit = await OkAsync(operatorClient.GetAsync($"{Route}/cutover/audit"));
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("outcome").GetString() == "refused");
        Assert.Equal([("managed", "manual"), ("shadow", "managed"), ("manual", "shadow")],
            audit.EnumerateArray().Where(e => e.GetProperty("outcome").GetString() == "switched").Take(3)
                .Select(e => (e.GetProperty("from").GetString(), e.GetProperty("to").GetString())));

        // The dashboards mark each switch: the way in as mode changes, the way back as a rollback.
        // (Other tests of this sandbox may switch staging/billing too, so each is checked for what it must and must not mark.)
        Assert.DoesNotContain("managed -> manual", await AnnotatedSwitchesAsync("Cutover mode changes", ["manual -> shadow", "shadow -> managed"]));
        Assert.Equal(["managed -> manual"], await AnnotatedSwitchesAsync("Rollbacks", ["managed -> manual"]));

        // Leave the sandbox as a trainer would find it after a rollback drill: events flowing again.
        await OkAsync(operatorClient.PutAsJsonAsync($"{Route}/publishing", new { enabled = true }));
    }

    /// <summary>
    /// The switches of staging/billing an annotation of the cutover overview marks over the last five minutes, evaluated
    /// every 5 s as Grafana evaluates it over a dashboard's time range, once they include <paramref name="expected"/>.
    /// </summary>
    private async Task<List<string>> AnnotatedSwitchesAsync(string annotation, string[] expected)
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Repository.PathOf("dashboards", "grafana", "dashboards", "filestore-cutover.json")));
        var expr = dashboard.RootElement.GetProperty("annotations").GetProperty("list").EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == annotation).GetProperty("expr").GetString()!;
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        return await Waits.UntilAsync($"the '{annotation}' annotation to mark {string.Join(", ", expected)}", Waits.Scrape, async ct =>
        {
            var series = await prometheus.QueryAsync($"max_over_time(({Sandbox.AppHost.DashboardVariables.AllValues.Resolve(expr)})[5m:5s])", ct);
            var marked = series.Where(s => PrometheusClient.Label(s, "env") == "staging" && PrometheusClient.Label(s, "service") == "billing")
                .Select(s => $"{PrometheusClient.Label(s, "from")} -> {PrometheusClient.Label(s, "to")}").Order().ToList();
            return (expected.All(marked.Contains) ? marked : null, $"marked: {string.Join(", ", marked)}");
        });
    }

    /// <summary>Each queue's line of the drain step: how many jobs it exported, and to which file.</summary>
    private static List<(string Queue, int Exported, string? File)> DrainedQueues(string detail) =>
        DrainLine().Matches(detail)
            .Select(m => (m.Groups["queue"].Value, int.Parse(m.Groups["exported"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["file"].Success ? m.Groups["file"].Value : null))
            .ToList();

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<queue>[a-z-]+): \d+ processed, (?<exported>\d+) exported(?: to (?<file>[^,]+))?, \d+ still active, (emptied|deadline reached)")]
    private static partial System.Text.RegularExpressions.Regex DrainLine();

    [Fact]
    public async Task The_dashboard_commands_of_filestore_act_through_its_api()
    {
        var commands = sandbox.App.Services.GetRequiredService<ResourceCommandService>();
        var operatorClient = await sandbox.FilestoreOperatorAsync();

        // Publishing of every service in both environments stops and starts again from the dashboard.
        var paused = await commands.ExecuteCommandAsync("filestore", "pause-publishing");
        Assert.True(paused.Success, paused.Message);
        Assert.All(await EveryServiceAsync(operatorClient), s => Assert.True(s.GetProperty("publishingPaused").GetBoolean(), $"{s.GetProperty("service")} still publishes"));

        foreach (var name in new[] { "resume-publishing", "enable-watchers", "seed-all", "latency", "command-failures", "drift-storm" })
        {
            var result = await commands.ExecuteCommandAsync("filestore", name);
            Assert.True(result.Success, $"{name}: {result.Message}");
        }

        Assert.All(await EveryServiceAsync(operatorClient), s => Assert.False(s.GetProperty("publishingPaused").GetBoolean(), $"{s.GetProperty("service")} is still paused"));

        var faults = await OkAsync(operatorClient.GetAsync("/faults"));
        Assert.Equal((0.1, 500, "reports"), (faults.GetProperty("commandFailureRate").GetDouble(), faults.GetProperty("addedLatencyMs").GetInt32(),
            faults.GetProperty("driftStorm").GetProperty("service").GetString()));
        var reports = await OkAsync(operatorClient.GetAsync("/envs/production/services/reports/cutover"));
        Assert.True(reports.GetProperty("watcherEnabled").GetBoolean());
        await OkAsync(operatorClient.GetAsync("/envs/production/services/reports/seed"));

        var cleared = await commands.ExecuteCommandAsync("filestore", "clear-drills");
        Assert.True(cleared.Success, cleared.Message);
        Assert.False((await OkAsync(operatorClient.GetAsync("/faults"))).GetProperty("any").GetBoolean());

        // The storm's changes reached both consumers as drift before the watchers go off (nothing is left unseen).
        await ConsumerChecks.UntilConsistentAsync(sandbox, "staging", "reports");

        var disabled = await commands.ExecuteCommandAsync("filestore", "disable-watchers");
        Assert.True(disabled.Success, disabled.Message);
        Assert.False((await OkAsync(operatorClient.GetAsync("/envs/production/services/reports/watcher"))).GetProperty("enabled").GetBoolean());
        var enabled = await commands.ExecuteCommandAsync("filestore", "enable-watchers");
        Assert.True(enabled.Success, enabled.Message);

        foreach (var consumer in new[] { "metastore", "timestore" })
        {
            var stalled = await commands.ExecuteCommandAsync(consumer, "stall");
            Assert.True(stalled.Success, stalled.Message);
            using var client = await sandbox.ConsumerAsOperatorAsync(consumer);
            Assert.NotNull((await OkAsync(client.GetAsync("/stall"))).GetProperty("pausedUntil").GetString());
            var resumed = await commands.ExecuteCommandAsync(consumer, "clear-stall");
            Assert.True(resumed.Success, resumed.Message);
            Assert.Null((await OkAsync(client.GetAsync("/stall"))).GetProperty("pausedUntil").GetString());

            var slowed = await commands.ExecuteCommandAsync(consumer, "slow-down");
            Assert.True(slowed.Success, slowed.Message);
            Assert.Equal(200, (await OkAsync(client.GetAsync("/stall"))).GetProperty("delayMs").GetInt32());
            var fullSpeed = await commands.ExecuteCommandAsync(consumer, "clear-stall");
            Assert.True(fullSpeed.Success, fullSpeed.Message);
            Assert.Equal(0, (await OkAsync(client.GetAsync("/stall"))).GetProperty("delayMs").GetInt32());
        }
    }

    private static async Task<List<JsonElement>> EveryServiceAsync(HttpClient operatorClient)
    {
        var services = new List<JsonElement>();
        foreach (var env in new[] { "staging", "production" })
        {
            services.AddRange((await OkAsync(operatorClient.GetAsync($"/envs/{env}/services"))).EnumerateArray());
        }

        return services;
    }
}
