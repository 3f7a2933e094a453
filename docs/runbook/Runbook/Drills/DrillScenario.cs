using System.Text.Json.Nodes;
using Runbook.Procedures;
using Runbook.Steps;
using Runbook.Targets;

namespace Runbook.Drills;

/// <summary>Where a drill aims: the environment and service it acts on (the drill traffic's, by default).</summary>
public sealed record DrillTarget(string Env, string Service);

/// <summary>
/// A failure drill: the fault it injects, the alerts that must answer it, and how it is cleared. The same scenarios,
/// by the same names, are the CLI's <c>runbook drill &lt;name&gt;</c>, the Aspire dashboard's commands on
/// <c>filestore</c> and the training guide's exercises.
/// </summary>
public sealed record DrillScenario(
    string Name,
    string Title,
    string Fault,
    IReadOnlyList<string> ExpectedAlerts,
    bool NeedsTraffic,
    bool NeedsManaged,
    string Watch,
    Func<RunbookSession, DrillTarget, CancellationToken, Task<string>> Inject,
    Func<RunbookSession, DrillTarget, CancellationToken, Task<string>> Clear)
{
    public static readonly DrillTarget DefaultTarget = new("staging", "reports");

    /// <summary>
    /// True when the fault cannot be ended early and "clear" waits until it ends by itself. Such drills are not on
    /// <c>filestore</c> in the dashboard, whose drills "Clear drill faults" ends.
    /// </summary>
    public bool EndsOnItsOwn { get; init; }

    private const string DrillQueue = "metastore-events";
    private const string DrillPauseReason = "drill: queue-paused";

    public static readonly IReadOnlyList<DrillScenario> All =
    [
        new("command-failures", "Command failures (10 %)", "Filestore fails one command in ten with a 503.",
            ["FilestoreAvailabilityFastBurn", "FilestoreCommandSuccessFastBurn"], NeedsTraffic: true, NeedsManaged: false,
            "Cutover overview: command outcomes; SLOs: availability and command success burn rates.",
            (s, _, ct) => SetFaultAsync(s, "commandFailureRate", JsonValue.Create(0.1), ct),
            (s, _, ct) => SetFaultAsync(s, "commandFailureRate", null, ct)),
        new("consumer-stall", "Metastore stalls", "Metastore stops applying events for ten minutes.",
            ["ReconciliationStalled"], NeedsTraffic: true, NeedsManaged: false,
            "Consumers: applied per second and lag; Queues: waiting jobs and oldest waiting age.",
            (s, _, ct) => CallAsync(s.Consumer("metastore"), HttpMethod.Put, "/stall", new { pauseSeconds = 600 }, "metastore stalled for 600 s", ct),
            (s, _, ct) => CallAsync(s.Consumer("metastore"), HttpMethod.Delete, "/stall", null, "metastore applies again", ct)),
        new("watcher-off", "Watcher off on a managed service", "The drift watcher of a managed service is turned off.",
            ["DriftWatcherDisabledOnManagedService"], NeedsTraffic: false, NeedsManaged: true,
            "Cutover overview: watchers and modes.",
            (s, t, ct) => SetWatcherAsync(s, t, false, ct),
            (s, t, ct) => SetWatcherAsync(s, t, true, ct)),
        new("queue-paused", "Queue paused by hand", "The metastore-events queue is paused outside any cutover.",
            ["QueuePausedOutsideCutoverWindow"], NeedsTraffic: false, NeedsManaged: false,
            "Queues: paused state and waiting jobs; GET /queues/audit says who paused it.",
            (s, _, ct) => CallAsync(s.Filestore, HttpMethod.Put, $"/queues/{DrillQueue}/paused", new { paused = true, reason = DrillPauseReason }, $"{DrillQueue} paused", ct),
            (s, _, ct) => CallAsync(s.Filestore, HttpMethod.Put, $"/queues/{DrillQueue}/paused", new { paused = false }, $"{DrillQueue} resumed", ct)),
        new("latency", "Latency (500 ms)", "Every command is delayed by 500 ms.",
            [], NeedsTraffic: true, NeedsManaged: false,
            "Cutover overview: command duration percentiles. No SLO covers latency, so nothing pages: a question for the trainee.",
            (s, _, ct) => SetFaultAsync(s, "addedLatencyMs", JsonValue.Create(500), ct),
            (s, _, ct) => SetFaultAsync(s, "addedLatencyMs", null, ct)),
        new("drift-storm", "Drift storm (20 changes/s)", "20 out-of-band changes a second are written under the target's root.",
            [], NeedsTraffic: false, NeedsManaged: false,
            "Cutover overview: drift detected by kind; Queues: published per second; Consumers: lag.",
            (s, t, ct) => SetFaultAsync(s, "driftStorm", new JsonObject { ["env"] = t.Env, ["service"] = t.Service, ["changesPerSecond"] = 20 }, ct),
            (s, _, ct) => SetFaultAsync(s, "driftStorm", null, ct)),
        new("redis-outage", $"Redis stops answering ({RedisPause.Length.TotalSeconds:0} s)",
            $"Redis answers no client for {RedisPause.Length.TotalSeconds:0} s (CLIENT PAUSE ALL), then again on its own.",
            ["RedisUnreachable", "QueueGaugesAbsent"], NeedsTraffic: false, NeedsManaged: false,
            "GET /health of each service names the failing StackExchange.Redis check; commands answer 503 store-unavailable; Queues: the gauges go missing.",
            (s, _, ct) => RedisPause.StartAsync(s, ct),
            (s, _, ct) => RedisPause.WaitUntilOverAsync(s, ct)) { EndsOnItsOwn = true },
    ];

    public static DrillScenario Find(string name) => All.FirstOrDefault(s => s.Name == name)
        ?? throw new BadUsageException($"Unknown drill scenario '{name}'; known: {string.Join(", ", All.Select(s => s.Name))}.");

    /// <summary>Ends every drill fault at once: what a trainer does between exercises.</summary>
    public static async Task<string> ClearAllAsync(RunbookSession session, DrillTarget target, CancellationToken ct)
    {
        session.Target.RequireSandbox("Clearing drill faults");
        var done = new List<string> { await CallAsync(session.Filestore, HttpMethod.Delete, "/faults", null, "Filestore faults cleared", ct) };
        foreach (var consumer in RunbookTarget.Consumers)
        {
            done.Add(await CallAsync(session.Consumer(consumer), HttpMethod.Delete, "/stall", null, $"{consumer} stall cleared", ct));
        }

        // Resumed only when the drill paused it: a pause by someone else (or a rollback's drain) is not a drill's to end.
        var audit = await session.Filestore.GetAsync("/queues/audit?count=50", ct);
        var newest = audit.EnumerateArray().FirstOrDefault(e => e.GetProperty("queue").GetString() == DrillQueue);
        if (newest.ValueKind == System.Text.Json.JsonValueKind.Object && newest.GetProperty("action").GetString() == "paused"
            && newest.GetProperty("reason").GetString() == DrillPauseReason)
        {
            done.Add(await Find("queue-paused").Clear(session, target, ct));
        }

        foreach (var env in Status.Environments)
        {
            foreach (var service in (await session.Filestore.GetAsync($"/envs/{env}/services", ct)).EnumerateArray()
                         .Where(s => s.GetProperty("mode").GetString() == "managed" && !s.GetProperty("watcherEnabled").GetBoolean())
                         .Select(s => s.GetProperty("service").GetString()!))
            {
                done.Add(await SetWatcherAsync(session, new DrillTarget(env, service), true, ct));
            }
        }

        return string.Join("; ", done) + ".";
    }

    private static async Task<string> CallAsync(ServiceApi api, HttpMethod method, string path, object? body, string done, CancellationToken ct)
    {
        await api.CallAsync(method, path, body, ct);
        return done;
    }

    // Faults are set as a whole; one drill's fault is added to (or taken from) those active, so drills combine.
    private static async Task<string> SetFaultAsync(RunbookSession session, string fault, JsonNode? value, CancellationToken ct)
    {
        var current = JsonNode.Parse((await session.Filestore.GetAsync("/faults", ct)).GetRawText())!.AsObject();
        current.Remove("any");
        current[fault] = value;
        var kept = new JsonObject();
        foreach (var (key, node) in current)
        {
            if (node is not null)
            {
                kept[key] = node.DeepClone();
            }
        }

        await session.Filestore.CallAsync(HttpMethod.Put, "/faults", kept, ct);
        return value is null ? $"{fault} cleared" : $"{fault} set to {value.ToJsonString()}";
    }

    private static async Task<string> SetWatcherAsync(RunbookSession session, DrillTarget target, bool enabled, CancellationToken ct)
    {
        await session.Filestore.CallAsync(HttpMethod.Put, $"{Checks.ServiceRoute(target.Env, target.Service)}/watcher", new { enabled }, ct);
        return $"watcher of {target.Env}/{target.Service} {(enabled ? "on" : "off")}";
    }
}
