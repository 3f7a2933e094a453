using System.Globalization;
using FilestoreStub.Access;
using FilestoreStub.Changes;
using FilestoreStub.Events;
using FilestoreStub.Policies;
using FilestoreStub.Seeding;
using FilestoreStub.Watchers;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Cutover;

/// <summary>
/// The gates of docs/architecture.md, The domain. <c>manual -> shadow</c>: a policy rule for the service, a live
/// token of a principal that rule names, a completed seeding, the watcher on, publishing on. <c>shadow -> managed</c>:
/// enough shadow commands, both shadow SLIs within objective, a recorded approval, and still the watcher and publishing on.
/// Every gate is checked every time, so a refusal names all that is missing at once.
/// </summary>
public sealed class CutoverGates(
    PolicyStore policies, TokenStore tokens, Seeder seeder, DriftWatchers watchers, PublishingSwitch publishing,
    ShadowLedger shadow, CutoverStore store, IOptions<CutoverOptions> options)
{
    private readonly CutoverOptions _options = options.Value;

    public async Task<IReadOnlyList<Gate>> CheckAsync(string env, string service, CutoverMode from, CutoverMode to) => (from, to) switch
    {
        (CutoverMode.Manual, CutoverMode.Shadow) =>
        [
            .. await AccessGatesAsync(env, service),
            await SeededAsync(env, service),
            Watcher(env, service),
            await PublishingAsync(env, service),
        ],
        (CutoverMode.Shadow, CutoverMode.Managed) =>
        [
            .. await ShadowGatesAsync(env, service),
            await ApprovalAsync(env, service),
            Watcher(env, service),
            await PublishingAsync(env, service),
        ],
        _ => [],
    };

    private async Task<Gate[]> AccessGatesAsync(string env, string service)
    {
        var policy = await policies.CurrentAsync(env);
        var principals = policy.Rules.Where(r => r.Service == service).Select(r => r.Principal).Distinct().ToList();
        var policyGate = principals.Count > 0
            ? new Gate("policy", true, $"Policy version {policy.Version} of {env} grants {service} to {string.Join(", ", principals)}.")
            : new Gate("policy", false, $"Policy version {policy.Version} of {env} has no rule for {service}; apply one with PUT /envs/{env}/policy.");

        var withTokens = new List<string>();
        foreach (var principal in principals)
        {
            if (await tokens.HasLiveTokenAsync(principal))
            {
                withTokens.Add(principal);
            }
        }

        var tokenGate = withTokens.Count > 0
            ? new Gate("token", true, $"{string.Join(", ", withTokens)} holds a live token.")
            : new Gate("token", false, principals.Count == 0
                ? "No principal is granted the service, so no token can count; apply a policy, then issue a token with POST /access/tokens."
                : $"None of {string.Join(", ", principals)} holds a live token; issue one with POST /access/tokens.");
        return [policyGate, tokenGate];
    }

    private async Task<Gate> SeededAsync(string env, string service) => await seeder.LastAsync(env, service) switch
    {
        { Status: SeedStatus.Completed } report => new Gate("seeded", true,
            $"Seeded at {report.FinishedAt:O}: {report.Files} files, {report.Published} published, {report.AlreadyPublished} already published."),
        { Status: SeedStatus.Running } => new Gate("seeded", false, $"A seeding is still running; wait for it: GET /envs/{env}/services/{service}/seed."),
        { Status: SeedStatus.Failed } => new Gate("seeded", false, $"The last seeding stopped part-way; run POST /envs/{env}/services/{service}/seed again."),
        null => new Gate("seeded", false, $"{service} was never seeded; run POST /envs/{env}/services/{service}/seed."),
    };

    private Gate Watcher(string env, string service) => watchers.IsRunning(env, service)
        ? new Gate("watcher", true, "The drift watcher is on.")
        : new Gate("watcher", false, $"The drift watcher is off; turn it on with PUT /envs/{env}/services/{service}/watcher.");

    private async Task<Gate> PublishingAsync(string env, string service) => await publishing.IsPausedAsync(env, service)
        ? new Gate("publishing", false, $"Publishing is paused; resume it with PUT /envs/{env}/services/{service}/publishing.")
        : new Gate("publishing", true, "Events are being published.");

    private async Task<Gate[]> ShadowGatesAsync(string env, string service)
    {
        var stats = await shadow.StatsAsync(env, service);
        var commands = stats.Success + stats.Failed;
        var objective = _options.ShadowObjective;
        var countGate = commands >= _options.MinShadowCommands
            ? new Gate("shadow-commands", true, $"{commands} shadow commands (at least {_options.MinShadowCommands} needed).")
            : new Gate("shadow-commands", false, $"{commands} shadow commands so far; at least {_options.MinShadowCommands} are needed.");
        var successGate = stats.SuccessRate is { } rate
            ? new Gate("shadow-success-rate", rate >= objective, $"{Percent(rate)} of shadow commands succeeded (objective {Percent(objective)}; {stats.Failed} failed).")
            : new Gate("shadow-success-rate", false, "No shadow command yet.");
        var matchGate = stats.PlanMatchRate is { } match
            ? new Gate("shadow-plans-match", match >= objective,
                $"{Percent(match)} of changes seen on disk matched a plan (objective {Percent(objective)}; {stats.Mismatched} mismatched, {stats.Unplanned} unplanned).")
            : new Gate("shadow-plans-match", true, "No change seen on disk during shadow, so no plan contradicted.");
        return [countGate, successGate, matchGate];
    }

    private async Task<Gate> ApprovalAsync(string env, string service) => (await store.StateAsync(env, service)).Approval is { } approval
        ? new Gate("approval", true, $"Approved by {approval.By} at {approval.At:O}.")
        : new Gate("approval", false, $"No operator approval recorded; the approver posts to /envs/{env}/services/{service}/cutover/approval with a named operator token.");

    private static string Percent(double value) => value.ToString("0.###%", CultureInfo.InvariantCulture);
}
