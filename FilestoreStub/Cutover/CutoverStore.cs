using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using FilestoreStub.Changes;
using FilestoreStub.Roots;
using StackExchange.Redis;

namespace FilestoreStub.Cutover;

/// <summary>
/// The cutover mode and approval of every service per environment, and their audit stream, in Redis (hash
/// <c>filestore:cutover:&lt;env&gt;:&lt;service&gt;</c>, stream <c>…:audit</c>). Modes are read on every command, so
/// the store keeps a copy in memory, loaded at start and updated by every change it makes; it publishes
/// <c>filestore_cutover_mode{env,service,mode}</c> from that copy, and counts every switch it makes in
/// <c>filestore_cutover_transitions_total{env,service,from,to}</c> (what the dashboards' mode-change annotations read).
/// </summary>
public sealed class CutoverStore : IServiceModes
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IConnectionMultiplexer _redis;
    private readonly ManagedRoots _roots;
    private readonly ConcurrentDictionary<(string Env, string Service), CutoverState> _states = new();
    private readonly Counter<long> _transitions;

    public CutoverStore(IConnectionMultiplexer redis, ManagedRoots roots, IMeterFactory meterFactory)
    {
        (_redis, _roots) = (redis, roots);
        var meter = meterFactory.Create(FilestoreTelemetry.MeterName);
        meter.CreateObservableGauge(
            "filestore_cutover_mode", ObserveModes, description: "1 on the current cutover mode of each service, 0 on the others.");
        _transitions = meter.CreateCounter<long>(
            "filestore_cutover_transitions", description: "Cutover mode switches made, per environment, service and from/to mode (managed to manual is a rollback).");
    }

    private static RedisKey StateKey(string env, string service) => $"filestore:cutover:{env}:{service}";

    private static RedisKey AuditKey(string env, string service) => $"filestore:cutover:{env}:{service}:audit";

    /// <summary>Reads every service's state from Redis into memory (at start, so the gauge is right from the first scrape).</summary>
    public async Task LoadAsync()
    {
        foreach (var env in Environments.All)
        {
            foreach (var service in _roots.Services)
            {
                _states[(env, service)] = await ReadAsync(env, service);
                // A series that starts at 0: increase() misses the first switch of a series born at 1.
                foreach (var (from, to) in CutoverService.Allowed)
                {
                    CountTransition(env, service, from, to, 0);
                }
            }
        }
    }

    public async ValueTask<CutoverState> StateAsync(string env, string service) =>
        _states.TryGetValue((env, service), out var state) ? state : _states.GetOrAdd((env, service), await ReadAsync(env, service));

    public async ValueTask<CutoverMode> ModeAsync(string env, string service) => (await StateAsync(env, service)).Mode;

    /// <summary>
    /// Moves the service from <paramref name="from"/> to <paramref name="to"/>, clearing any approval; false when the
    /// mode is no longer <paramref name="from"/> (someone else moved it meanwhile).
    /// </summary>
    public async Task<bool> SwitchAsync(string env, string service, CutoverMode from, CutoverMode to, DateTimeOffset at)
    {
        var key = StateKey(env, service);
        var transaction = _redis.GetDatabase().CreateTransaction();
        if (from == CutoverMode.Manual)
        {
            // A service never cut over has no hash at all: manual is "neither of the others".
            transaction.AddCondition(Condition.HashNotEqual(key, "mode", CutoverMode.Shadow.ToKebabCase()));
            transaction.AddCondition(Condition.HashNotEqual(key, "mode", CutoverMode.Managed.ToKebabCase()));
        }
        else
        {
            transaction.AddCondition(Condition.HashEqual(key, "mode", from.ToKebabCase()));
        }

        _ = transaction.HashSetAsync(key, [new("mode", to.ToKebabCase()), new("since", at.ToUnixTimeMilliseconds())]);
        _ = transaction.HashDeleteAsync(key, ["approvedBy", "approvedAt", "approvalNote"]);
        if (!await transaction.ExecuteAsync())
        {
            _states[(env, service)] = await ReadAsync(env, service);
            return false;
        }

        _states[(env, service)] = new CutoverState(env, service, to, at, null);
        CountTransition(env, service, from, to, 1);
        return true;
    }

    public async Task ApproveAsync(string env, string service, Approval approval)
    {
        await _redis.GetDatabase().HashSetAsync(StateKey(env, service),
        [
            new("approvedBy", approval.By), new("approvedAt", approval.At.ToUnixTimeMilliseconds()), new("approvalNote", approval.Note ?? string.Empty),
        ]);
        _states[(env, service)] = await ReadAsync(env, service);
    }

    public async Task<AuditEntry> AppendAuditAsync(string env, string service, AuditEntry entry)
    {
        var id = await _redis.GetDatabase().StreamAddAsync(AuditKey(env, service),
        [
            new("at", entry.At.ToString("O")),
            new("by", entry.By),
            new("from", entry.From.ToKebabCase()),
            new("to", entry.To.ToKebabCase()),
            new("outcome", entry.Outcome.ToKebabCase()),
            new("gates", JsonSerializer.Serialize(entry.Gates, Json)),
            new("steps", JsonSerializer.Serialize(entry.Steps, Json)),
            new("correlationId", entry.CorrelationId),
        ], maxLength: 10_000, useApproximateMaxLength: true);
        return entry with { Id = id! };
    }

    /// <summary>The newest <paramref name="count"/> audit entries of the service, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(string env, string service, int count)
    {
        var entries = await _redis.GetDatabase().StreamRangeAsync(AuditKey(env, service), count: count, messageOrder: Order.Descending);
        return entries.Select(e =>
        {
            string Field(string name) => e[name].ToString();
            return new AuditEntry(e.Id!, DateTimeOffset.Parse(Field("at"), System.Globalization.CultureInfo.InvariantCulture), Field("by"), KebabCaseNames.ParseKebabCase<CutoverMode>(Field("from")),
                KebabCaseNames.ParseKebabCase<CutoverMode>(Field("to")), KebabCaseNames.ParseKebabCase<TransitionResult>(Field("outcome")), JsonSerializer.Deserialize<List<Gate>>(Field("gates"), Json)!,
                JsonSerializer.Deserialize<List<RollbackStep>>(Field("steps"), Json)!, Field("correlationId"));
        }).ToList();
    }

    private async Task<CutoverState> ReadAsync(string env, string service)
    {
        var fields = await _redis.GetDatabase().HashGetAsync(StateKey(env, service), ["mode", "since", "approvedBy", "approvedAt", "approvalNote"]);
        var mode = fields[0].IsNull ? CutoverMode.Manual : KebabCaseNames.ParseKebabCase<CutoverMode>(fields[0].ToString());
        DateTimeOffset? since = fields[1].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)fields[1]);
        var approval = fields[2].IsNull
            ? null
            : new Approval(fields[2]!, DateTimeOffset.FromUnixTimeMilliseconds((long)fields[3]), fields[4].IsNullOrEmpty ? null : fields[4].ToString());
        return new CutoverState(env, service, mode, since, approval);
    }

    private void CountTransition(string env, string service, CutoverMode from, CutoverMode to, long count) =>
        _transitions.Add(count, new("env", env), new("service", service), new("from", from.ToKebabCase()), new("to", to.ToKebabCase()));

    private IEnumerable<Measurement<int>> ObserveModes() =>
        from state in _states.Values
        from mode in Enum.GetValues<CutoverMode>()
        select new Measurement<int>(state.Mode == mode ? 1 : 0,
            new("env", state.Env), new("service", state.Service), new("mode", mode.ToKebabCase()));
}
