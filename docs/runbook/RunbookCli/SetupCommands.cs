using System.CommandLine;
using System.Text.Json;
using Runbook;
using Runbook.Procedures;
using Runbook.Steps;
using Spectre.Console;
using static RunbookCli.ProcedureCommands;

namespace RunbookCli;

/// <summary>The commands that do a checklist item (policy, tokens, seeding, watcher, publishing, queues); each is journaled with its evidence.</summary>
internal static class SetupCommands
{
    public static IEnumerable<Command> All()
    {
        yield return EnvCommand();
        yield return TokenCommand();
        yield return PolicyCommand();
        yield return SeedCommand();
        yield return SwitchCommand("watcher", "The drift watcher", "watcher", probe: true);
        yield return SwitchCommand("publishing", "Publishing", "publishing", probe: false);
        yield return QueueCommand();
    }

    private static Command EnvCommand()
    {
        var command = new Command("env", "Print export lines for the target's addresses (FILESTORE, METASTORE, TIMESTORE, PROMETHEUS, REDIS_URL) and the token of the consumers' stall fault (CONSUMER_TOKEN): eval \"$(runbook env)\".");
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, (session, _, _) =>
        {
            var target = session.Target;
            Console.Out.WriteLine($"export FILESTORE={target.Filestore.ToString().TrimEnd('/')}");
            Console.Out.WriteLine($"export METASTORE={target.Metastore?.ToString().TrimEnd('/')}");
            Console.Out.WriteLine($"export TIMESTORE={target.Timestore?.ToString().TrimEnd('/')}");
            Console.Out.WriteLine($"export PROMETHEUS={target.Prometheus?.ToString().TrimEnd('/')}");
            Console.Out.WriteLine($"export REDIS_URL={RedisUrl(target.Redis)}");
            Console.Out.WriteLine($"export CONSUMER_TOKEN={target.ConsumerToken}");
            return Task.FromResult<object?>(null);
        }, resultOnStdout: true, ct: ct));
        return command;
    }

    /// <summary>A StackExchange.Redis connection string as the URL redis-cli takes (<c>redis://:password@host:port</c>).</summary>
    public static string RedisUrl(string? configuration)
    {
        if (configuration is null)
        {
            return string.Empty;
        }

        var parts = configuration.Split(',');
        var password = parts.Skip(1).Select(p => p.Split('=', 2)).FirstOrDefault(kv => kv[0].Trim() == "password")?[1];
        return password is null ? $"redis://{parts[0]}" : $"redis://:{Uri.EscapeDataString(password)}@{parts[0]}";
    }

    private static Command TokenCommand()
    {
        var principal = new Argument<string>("principal") { Description = "Who the token is for: a service principal (billing-app) or a person (alice)." };
        var kind = new Option<string>("--kind") { Description = "service or operator.", DefaultValueFactory = _ => "service" };
        kind.AcceptOnlyFromAmong("service", "operator");
        var lifetime = new Option<long?>("--lifetime") { Description = "Seconds until the token expires (default: never)." };
        var grace = new Option<long?>("--grace") { Description = "Seconds the old tokens stay valid after a rotation (default 300)." };

        var issue = new Command("issue", "Issue a token; prints the token alone on stdout (only its hash is kept, so keep it now).") { principal, kind, lifetime };
        issue.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
        {
            var issued = await Journaled(session, "token", "issue", $"Issue a token for {parse.GetValue(principal)}", async t =>
            {
                var body = await session.Filestore.CallAsync(HttpMethod.Post, "/access/tokens",
                    new { principal = parse.GetValue(principal), kind = parse.GetValue(kind), lifetimeSeconds = parse.GetValue(lifetime) }, t);
                return (body, $"Token {body.GetProperty("tokenId").GetString()} issued to {body.GetProperty("principal").GetString()} ({body.GetProperty("kind").GetString()}).");
            }, token);
            if (!parse.GetValue(CliContext.Json))
            {
                Console.Out.WriteLine(issued.GetProperty("token").GetString());
            }

            return issued;
        }, resultOnStdout: true, ct: ct));

        var rotate = new Command("rotate", "Issue a new token; the principal's old ones stay valid for the grace period. Prints the new token alone on stdout.")
        {
            principal, kind, grace, lifetime,
        };
        rotate.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
        {
            var rotated = await Journaled(session, "token", "rotate", $"Rotate {parse.GetValue(principal)}'s token", async t =>
            {
                var body = await session.Filestore.CallAsync(HttpMethod.Post, "/access/tokens/rotate",
                    new { principal = parse.GetValue(principal), kind = parse.GetValue(kind), graceSeconds = parse.GetValue(grace), lifetimeSeconds = parse.GetValue(lifetime) }, t);
                return (body, $"Token {body.GetProperty("tokenId").GetString()} issued; the old ones are valid until {body.GetProperty("previousTokensValidUntil").GetString()}.");
            }, token);
            if (!parse.GetValue(CliContext.Json))
            {
                Console.Out.WriteLine(rotated.GetProperty("token").GetString());
            }

            return rotated;
        }, resultOnStdout: true, ct: ct));

        var tokenId = new Option<string?>("--token-id") { Description = "Revoke only this token (the old one after a rotation) instead of all the principal's." };
        var revoke = new Command("revoke", "Revoke a principal's tokens, or with --token-id one of them (end a rotation's grace early).") { principal, tokenId };
        revoke.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            await Journaled(session, "token", "revoke", $"Revoke {parse.GetValue(tokenId) ?? "every token"} of {parse.GetValue(principal)}", async t =>
            {
                object request = parse.GetValue(tokenId) is { } id ? new { tokenId = id } : new { principal = parse.GetValue(principal) };
                var body = await session.Filestore.CallAsync(HttpMethod.Post, "/access/tokens/revoke", request, t);
                return (body, $"{body.GetProperty("revoked").GetInt32()} token(s) of {parse.GetValue(principal)} revoked.");
            }, token), ct: ct));

        return new Command("token", "Issue, rotate and revoke Filestore tokens.") { issue, rotate, revoke };
    }

    private static Command PolicyCommand()
    {
        static Argument<string> PolicyFile() => new("file") { Description = "A JSON policy: {\"rules\": [{\"principal\", \"service\", \"commands\", \"prefixes\"}]}." };

        var showEnv = EnvArgument();
        var show = new Command("show", "Print the environment's current policy and its version.") { showEnv };
        show.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, console, token) =>
        {
            var policy = await session.Filestore.GetAsync($"/envs/{parse.GetValue(showEnv)}/policy", token);
            console.WriteLine(JsonSerializer.Serialize(policy, CliContext.JsonOutput));
            return policy;
        }, ct: ct));

        var (diffEnv, diffFile) = (EnvArgument(), PolicyFile());
        var diff = new Command("diff", "Validate a policy file and show what applying it would change (a dry-run: nothing is applied).") { diffEnv, diffFile };
        diff.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
        {
            var (env, file) = (parse.GetValue(diffEnv)!, parse.GetValue(diffFile)!);
            var rules = await ReadPolicyAsync(file, token);
            return await Journaled(session, "policy", "diff", $"Validate {Path.GetFileName(file)} against {env}'s policy", async t =>
            {
                var check = await session.Filestore.CallAsync(HttpMethod.Post, $"/envs/{env}/policy/validate", new { rules }, t);
                return check.GetProperty("valid").GetBoolean()
                    ? (check, $"Valid against version {check.GetProperty("currentVersion").GetInt32()}; changes: {Changes(check.GetProperty("changes"))}.")
                    : throw new CheckFailedException($"The policy is not valid: {string.Join("; ", check.GetProperty("errors").EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(v => $"{e.Name}: {v.GetString()}")))}");
            }, token, env);
        }, ct: ct));

        var (applyEnv, applyFile) = (EnvArgument(), PolicyFile());
        var expected = new Option<int?>("--expected-version")
        {
            Description = "The version 'policy diff' reviewed: Filestore refuses (409) if the policy changed since (default: the version read just now).",
        };
        var apply = new Command("apply", "Apply a policy file, then verify and record the new version.") { applyEnv, applyFile, expected };
        apply.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
        {
            var (env, file) = (parse.GetValue(applyEnv)!, parse.GetValue(applyFile)!);
            var rules = await ReadPolicyAsync(file, token);
            return await Journaled(session, "policy", "apply", $"Apply {Path.GetFileName(file)} to {env}", async t =>
            {
                var expectedVersion = parse.GetValue(expected) ?? (await session.Filestore.GetAsync($"/envs/{env}/policy", t)).GetProperty("version").GetInt32();
                var answer = await session.Filestore.SendAsync(HttpMethod.Put, $"/envs/{env}/policy", new { rules, expectedVersion }, ct: t);
                if (!answer.Succeeded)
                {
                    throw new CheckFailedException($"Not applied: {(int)answer.Status} {answer.Detail}");
                }

                var applied = await session.Filestore.GetAsync($"/envs/{env}/policy", t);
                var version = applied.GetProperty("version").GetInt32();
                return version == answer.Body.GetProperty("version").GetInt32()
                    ? (applied, $"Policy version {version} of {env} applied by {applied.GetProperty("appliedBy").GetString()} and read back ({applied.GetProperty("rules").GetArrayLength()} rules).")
                    : throw new CheckFailedException($"Applied version {answer.Body.GetProperty("version").GetInt32()}, but {env} now reads version {version}: someone else changed it.");
            }, token, env);
        }, ct: ct));

        return new Command("policy", "Show, dry-run (diff) and apply an environment's IAM policy.") { show, diff, apply };
    }

    private static string Changes(JsonElement changes) =>
        changes.ValueKind != JsonValueKind.Object
            ? "none"
            : $"{changes.GetProperty("added").GetArrayLength()} added, {changes.GetProperty("removed").GetArrayLength()} removed, {changes.GetProperty("changed").GetArrayLength()} changed";

    private static async Task<JsonElement> ReadPolicyAsync(string file, CancellationToken ct)
    {
        if (!File.Exists(file))
        {
            throw new BadUsageException($"No policy file at {file}.");
        }

        try
        {
            var policy = JsonDocument.Parse(await File.ReadAllTextAsync(file, ct)).RootElement;
            return policy.TryGetProperty("rules", out var rules) && rules.ValueKind == JsonValueKind.Array
                ? rules.Clone()
                : throw new BadUsageException($"{file} has no \"rules\" array.");
        }
        catch (JsonException e)
        {
            throw new BadUsageException($"{file} is not JSON: {e.Message}");
        }
    }

    private static Command SeedCommand()
    {
        var (env, service) = (EnvArgument(), ServiceArgument());
        var command = new Command("seed", "Publish the current metadata of every file of the service (idempotent), then wait until both consumers match the disk.") { env, service };
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
        {
            var (e, s) = (parse.GetValue(env)!, parse.GetValue(service)!);
            var run = session.Begin("seed", e, s);
            await run.StepAsync("seed", $"Seed {e}/{s}", async (_, t) =>
            {
                var report = await session.Filestore.CallAsync(HttpMethod.Post, $"{Checks.ServiceRoute(e, s)}/seed", null, t);
                return $"{report.GetProperty("files").GetInt32()} files: {report.GetProperty("published").GetInt32()} published, "
                       + $"{report.GetProperty("alreadyPublished").GetInt32()} already published, status {report.GetProperty("status").GetString()}.";
            }, token);
            await run.StepAsync("stores-consistent", "Both consumers match the disk", (progress, t) => Checks.ConsistentAsync(session, e, s, progress, t), token);
            return run.Report;
        }, ct: ct));
        return command;
    }

    private static Command SwitchCommand(string name, string what, string route, bool probe)
    {
        var parent = new Command(name, $"{what} of a service: on, off{(probe ? ", or a probe write that proves it sees changes" : string.Empty)}.");
        foreach (var enabled in new[] { true, false })
        {
            var (env, service) = (EnvArgument(), ServiceArgument());
            var command = new Command(enabled ? "on" : "off", $"Turn {what.ToLowerInvariant()} of the service {(enabled ? "on" : "off")}.") { env, service };
            command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            {
                var (e, s) = (parse.GetValue(env)!, parse.GetValue(service)!);
                return await Journaled(session, name, enabled ? "on" : "off", $"{what} of {e}/{s} {(enabled ? "on" : "off")}", async t =>
                {
                    var state = await session.Filestore.CallAsync(HttpMethod.Put, $"{Checks.ServiceRoute(e, s)}/{route}", new { enabled }, t);
                    return state.GetProperty("enabled").GetBoolean() == enabled
                        ? (state, $"{what} of {e}/{s} is {(enabled ? "on" : "off")}.")
                        : throw new CheckFailedException($"{what} of {e}/{s} did not turn {(enabled ? "on" : "off")}.");
                }, token, e, s);
            }, ct: ct));
            parent.Subcommands.Add(command);
        }

        if (probe)
        {
            var (env, service) = (EnvArgument(), ServiceArgument());
            var command = new Command("probe", "Filestore writes a probe file behind its own back; passes when both consumers applied its drift event, and again for its removal.")
            {
                env, service,
            };
            command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            {
                var (e, s) = (parse.GetValue(env)!, parse.GetValue(service)!);
                var run = session.Begin("watcher", e, s);
                await run.StepAsync($"watcher:{s}", $"The drift watcher of {e}/{s} sees a deliberate test write", (progress, t) => Checklist.ProbeAsync(session, e, s, progress, t), token);
                return run.Report;
            }, ct: ct));
            parent.Subcommands.Add(command);
        }

        return parent;
    }

    private static Command QueueCommand()
    {
        static Argument<string> QueueArgument()
        {
            var argument = new Argument<string>("queue") { Description = "metastore-events or timestore-events." };
            argument.AcceptOnlyFromAmong(Runbook.Targets.QueueInspector.EventQueues);
            return argument;
        }

        var queue = QueueArgument();
        var reason = new Option<string>("--reason") { Description = "Why (required to pause: it goes into the queue audit).", Required = true };

        var list = new Command("list", "Both queues as Redis holds them: counts per state, paused, oldest waiting job.");
        list.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, console, _) =>
        {
            var states = await session.RequireQueues().ReadAllAsync();
            if (!parse.GetValue(CliContext.Json))
            {
                Render.Queues(console, states);
            }

            return states;
        }, ct: ct));

        var pause = new Command("pause", "Pause a queue through Filestore, so the queue audit says who and why.") { queue, reason };
        pause.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            await Journaled(session, "queue", "pause", $"Pause {parse.GetValue(queue)}", async t =>
            {
                var body = await session.Filestore.CallAsync(HttpMethod.Put, $"/queues/{parse.GetValue(queue)}/paused", new { paused = true, reason = parse.GetValue(reason) }, t);
                return (body, $"{parse.GetValue(queue)} paused: {parse.GetValue(reason)}.");
            }, token), ct: ct));

        var resumeQueue = QueueArgument();
        var resume = new Command("resume", "Resume a paused queue through Filestore (recorded in the queue audit).") { resumeQueue };
        resume.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            await Journaled(session, "queue", "resume", $"Resume {parse.GetValue(resumeQueue)}", async t =>
            {
                var body = await session.Filestore.CallAsync(HttpMethod.Put, $"/queues/{parse.GetValue(resumeQueue)}/paused", new { paused = false }, t);
                return (body, $"{parse.GetValue(resumeQueue)} resumed.");
            }, token), ct: ct));

        var audit = new Command("audit", "Who paused and resumed the queues, newest first (rollback drains included).");
        audit.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, console, token) =>
        {
            var entries = await session.Filestore.GetAsync("/queues/audit?count=20", token);
            if (!parse.GetValue(CliContext.Json))
            {
                Render.QueueAudit(console, entries);
            }

            return entries;
        }, ct: ct));

        return new Command("queue", "The event queues: list, pause, resume, audit.") { list, pause, resume, audit };
    }

    /// <summary>One action as a journaled procedure of one step, so the sign-off can quote it.</summary>
    private static async Task<T> Journaled<T>(
        RunbookSession session, string procedure, string step, string what, Func<CancellationToken, Task<(T, string)>> run, CancellationToken ct,
        string? env = null, string? service = null) =>
        await session.Begin(procedure, env, service).StepAsync(step, what, (_, t) => run(t), ct);
}
