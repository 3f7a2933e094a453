using System.Text.Json;
using Runbook.Procedures;
using Runbook.Steps;
using Runbook.Targets;

namespace Runbook.Drills;

/// <summary>
/// Commands at a steady rate against one managed service of the sandbox, as its own principal
/// (<c>&lt;service&gt;-drill</c>, allowed to put under <c>drill/</c>), so drills have traffic to fail and panels
/// have something to show (and one watcher probe, for the drift panels). <c>prepare</c> first cuts the service over
/// through Filestore's API, whatever state it is in.
/// </summary>
public sealed class DrillTraffic : IAsyncDisposable
{
    private const int ShadowCommands = 25;
    private static readonly string[] PutOnly = ["put"];
    private static readonly string[] DrillFolder = ["drill"];
    private readonly CancellationTokenSource _stop = new();
    private readonly ServiceApi _client;
    private readonly Task _loop;
    private int _succeeded;
    private int _failed;

    private DrillTraffic(ServiceApi client, DrillTarget target, int perSecond)
    {
        (_client, Target, PerSecond) = (client, target, perSecond);
        _loop = Task.Run(() => SendAsync(perSecond));
    }

    public DrillTarget Target { get; }

    public int PerSecond { get; }

    public int Succeeded => Volatile.Read(ref _succeeded);

    public int Failed => Volatile.Read(ref _failed);

    public static string Principal(DrillTarget target) => $"{target.Service}-drill";

    /// <summary>Makes sure the target is managed (cutting it over when <paramref name="prepare"/>), then starts sending.</summary>
    public static async Task<DrillTraffic> StartAsync(RunbookSession session, DrillTarget target, int perSecond, bool prepare, CancellationToken ct = default)
    {
        session.Target.RequireSandbox("Drill traffic (it writes files as a made-up principal and may cut a service over)");
        if (perSecond is < 1 or > 200)
        {
            throw new BadUsageException("--rate must be from 1 to 200 commands a second.");
        }

        var route = Checks.ServiceRoute(target.Env, target.Service);
        var run = session.Begin("traffic", target.Env, target.Service);
        var token = await run.StepAsync("principal", $"{Principal(target)} may put under drill/ and holds a token", async (_, t) =>
        {
            await AllowAsync(session, target, t);
            var issued = await session.Filestore.CallAsync(HttpMethod.Post, "/access/tokens", new { principal = Principal(target) }, t);
            return (issued.GetProperty("token").GetString()!, $"Policy rule and token for {Principal(target)}.");
        }, ct);

        var mode = Checks.Mode(await Checks.CutoverStateAsync(session, target.Env, target.Service, ct));
        if (mode != "managed" && !prepare)
        {
            throw new CheckFailedException(
                $"{target.Env}/{target.Service} is {mode}: drill traffic needs a managed service. Cut it over with the runbook, or add --prepare to do it for the drill.");
        }

        var client = new ServiceApi(Principal(target), session.Target.Filestore, token);
        try
        {
            if (mode != "managed")
            {
                await run.StepAsync("prepare", $"Cut {target.Env}/{target.Service} over to managed for the drill", (_, t) => PrepareAsync(session, client, target, mode, t), ct);
            }

            // A change behind Filestore's back, made by Filestore itself, so the drift panels and counters have something to show.
            await run.StepAsync("probe", $"The watcher of {target.Env}/{target.Service} sees a probe write", (progress, t) =>
                Checklist.ProbeAsync(session, target.Env, target.Service, progress, t), ct);
            await run.StepAsync("start", $"{perSecond} put commands a second under {route}/drill/", (_, _) =>
                Task.FromResult($"Sending as {Principal(target)} until stopped."), ct);
            return new DrillTraffic(client, target, perSecond);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _client.Dispose();
        _stop.Dispose();
    }

    private static async Task<string> PrepareAsync(RunbookSession session, ServiceApi client, DrillTarget target, string mode, CancellationToken ct)
    {
        var route = Checks.ServiceRoute(target.Env, target.Service);
        await session.Filestore.CallAsync(HttpMethod.Put, $"{route}/publishing", new { enabled = true }, ct);
        await session.Filestore.CallAsync(HttpMethod.Put, $"{route}/watcher", new { enabled = true }, ct);
        if (mode == "manual")
        {
            await session.Filestore.CallAsync(HttpMethod.Post, $"{route}/seed", null, ct);
            await DryRun.TransitionAsync(session, target.Env, target.Service, "shadow", ct);
        }

        for (var i = 0; i < ShadowCommands; i++)
        {
            await OkAsync(client.SendAsync(HttpMethod.Post, $"{route}/commands", new { command = "put", path = $"drill/shadow-{i}.txt", text = "planned" },
                idempotencyKey: Guid.NewGuid().ToString("N"), ct: ct));
        }

        // Approvals name a person: an operator acting under the shared token approves as the sandbox's trainer, with a
        // token issued for that one approval.
        if (await session.WhoAmIAsync(ct) == "operator")
        {
            var issued = await session.Filestore.CallAsync(HttpMethod.Post, "/access/tokens", new { principal = "trainer", kind = "operator", lifetimeSeconds = 600 }, ct);
            try
            {
                using var trainer = new ServiceApi("Filestore", session.Target.Filestore, issued.GetProperty("token").GetString());
                await trainer.CallAsync(HttpMethod.Post, $"{route}/cutover/approval", new { note = "drill traffic" }, ct);
            }
            finally
            {
                await ServiceTokens.RevokeAsync(session, issued.GetProperty("tokenId").GetString()!);
            }
        }
        else
        {
            await session.Filestore.CallAsync(HttpMethod.Post, $"{route}/cutover/approval", new { note = "drill traffic" }, ct);
        }

        await DryRun.TransitionAsync(session, target.Env, target.Service, "managed", ct);
        return $"{target.Env}/{target.Service}: {mode} -> managed, {ShadowCommands} shadow commands, approved for the drill.";
    }

    private static async Task OkAsync(Task<ApiAnswer> call)
    {
        var answer = await call;
        if (!answer.Succeeded)
        {
            throw new CheckFailedException($"{(int)answer.Status} {answer.Detail}");
        }
    }

    // Adds the drill's rule to the environment's policy and keeps every rule already there.
    private static async Task AllowAsync(RunbookSession session, DrillTarget target, CancellationToken ct)
    {
        var current = await session.Filestore.GetAsync($"/envs/{target.Env}/policy", ct);
        var rules = current.GetProperty("rules").EnumerateArray().Select(r => (object)r).ToList();
        if (rules.Cast<JsonElement>().Any(r => r.GetProperty("principal").GetString() == Principal(target)))
        {
            return;
        }

        rules.Add(new { principal = Principal(target), service = target.Service, commands = PutOnly, prefixes = DrillFolder });
        await session.Filestore.CallAsync(HttpMethod.Put, $"/envs/{target.Env}/policy", new { rules }, ct);
    }

    private async Task SendAsync(int perSecond)
    {
        var route = Checks.ServiceRoute(Target.Env, Target.Service);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        var sent = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var body = new { command = "put", path = $"drill/file-{sent++ % 50}.txt", text = $"drill {sent}" };
                try
                {
                    var answer = await _client.SendAsync(HttpMethod.Post, $"{route}/commands", body, idempotencyKey: Guid.NewGuid().ToString("N"), ct: _stop.Token);
                    Interlocked.Increment(ref answer.Succeeded ? ref _succeeded : ref _failed);
                }
                catch (RunbookException)
                {
                    Interlocked.Increment(ref _failed);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the drill is over.
        }
    }
}
