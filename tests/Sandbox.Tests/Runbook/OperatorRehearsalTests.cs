using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Sandbox.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;
using static Sandbox.Tests.Infrastructure.FilestoreCalls;

namespace Sandbox.Tests.Runbook;

/// <summary>
/// The production rehearsal of billing as an operator runs it with the CLI (docs/filestore-cutover.md), every call a
/// real <c>runbook</c> process against the running sandbox: reset, policy, named tokens, seeding, the checklist, the
/// dry-run, an approval by a second person, the cutover, accepted commands while a consumer stalls, a drill that pages,
/// the rollback with its export, and the sign-off, then the export's replay. The other tests and the documents use
/// staging/billing, staging/reports and production/reports; this one only production/billing.
/// </summary>
[Collection(RunningSandbox.Name)]
[Trait("Category", "Live")]
public sealed class OperatorRehearsalTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    private const string Env = "production";
    private const string Service = "billing";
    private const string Route = "/envs/production/services/billing";
    private const string Operator = "dana";
    private const string Approver = "erin";
    private const int AcceptedCommands = 40;

    private static readonly TimeSpan DrillTimeout = TimeSpan.FromMinutes(6);

    // A reset waits up to 3 minutes for pages to resolve, after erasing the SLO history.
    private static readonly TimeSpan ResetTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private static readonly string[] Consumers = ["metastore", "timestore"];
    private static readonly string[] RehearsedProcedures = ["checklist", "dry-run", "approve", "cutover", "drill:watcher-off", "rollback"];

    /// <summary>One line of a rollback export: the job as it was left in its queue.</summary>
    private sealed record ExportedEvent(string File, string Queue, string Id, string? Env, string? Service, string? Path);

    [Fact]
    public async Task An_operator_rehearses_the_production_cutover_of_billing_with_the_cli_rolls_back_without_losing_a_command_and_signs_it_off()
    {
        using var cli = RunbookCli.For(sandbox, output);
        using var metastore = await sandbox.ConsumerAsOperatorAsync("metastore");
        var finished = false;
        try
        {
            // Earlier drills in this shared sandbox may have spent the SLO budgets, and the go/no-go would refuse.
            (await cli.RunAsync(["reset"], timeout: ResetTimeout)).Expect(0);
            (await cli.RunAsync(["policy", "apply", Env, "docs/runbook/policies/production.json"])).Expect(0);
            var dana = Token(await cli.RunAsync(["token", "issue", Operator, "--kind", "operator"]));
            var erin = Token(await cli.RunAsync(["token", "issue", Approver, "--kind", "operator"]));
            var billingApp = Token(await cli.RunAsync(["token", "issue", "billing-app"]));

            // Other tests switch publishing and watchers of every service from the dashboard; the checklist needs both on.
            (await cli.RunAsync(["publishing", "on", Env, Service], token: dana)).Expect(0);
            (await cli.RunAsync(["seed", Env, Service], token: dana)).Expect(0);
            (await cli.RunAsync(["watcher", "on", Env, Service], token: dana)).Expect(0);
            (await cli.RunAsync(["checklist", Env, "--service", Service], token: dana)).Expect(0);
            (await cli.RunAsync(["dry-run", Env, Service], token: dana, serviceToken: billingApp)).Expect(0);

            // The go-ahead must name a person: the sandbox's shared token is refused (4), the approver's own is recorded.
            var shared = await cli.RunAsync(["approve", Env, Service, "--note", "with the shared token"]);
            Assert.Contains("approval", shared.ExpectFailure(4), StringComparison.Ordinal);
            (await cli.RunAsync(["approve", Env, Service, "--note", "CHG-4711 production billing rehearsal"], token: erin)).Expect(0);
            (await cli.RunAsync(["cutover", Env, Service], token: dana, serviceToken: billingApp)).Expect(0);

            // The page that makes the operator decide to roll back: the drill's result says it fired, and when.
            var drill = (await cli.RunAsync(["drill", "watcher-off", "--env", Env, "--service", Service, "--timeout", "300", "--json"],
                token: dana, timeout: DrillTimeout)).Expect(0);
            Assert.Contains("time to page", drill.Output, StringComparison.Ordinal);
            var paged = drill.Json;
            Assert.True(paged.GetProperty("report").GetProperty("passed").GetBoolean(), drill.Describe());
            Assert.Equal("DriftWatcherDisabledOnManagedService", paged.GetProperty("pagedBy").GetString());
            Assert.True(TimeSpan.TryParse(paged.GetProperty("timeToPage").GetString(), System.Globalization.CultureInfo.InvariantCulture, out var timeToPage)
                        && timeToPage > TimeSpan.Zero, drill.Describe());

            // Commands billing-app sends while metastore is stalled: accepted, applied by timestore, piling up for metastore.
            await OkAsync(metastore.PutAsJsonAsync("/stall", new { pauseSeconds = 600 }));
            var accepted = await SendCommandsAsync(billingApp);

            var exportsDirectory = Path.Combine(sandbox.StateDirectory, "filestore", "exports");
            var earlierExports = Directory.Exists(exportsDirectory) ? Directory.GetFiles(exportsDirectory).ToHashSet() : [];
            var rollbackRun = cli.RunAsync(["rollback", Env, Service, "--drain-deadline", "3", "--json"], token: dana);
            // The stalled consumer holds the jobs it took as active, and a drain exports only what is not active: the
            // rollback's queue check would wait for those. The stall ends once the drain has exported metastore's backlog,
            // as the on-call ends it once the leftovers are safe in a file.
            await ClearStallOnceExportedAsync(metastore, exportsDirectory, earlierExports, rollbackRun);
            var rollback = (await rollbackRun).Expect(0);

            // The rollback verified the queues and the stores itself; the checks below do it again from outside.
            var verified = rollback.Json.GetProperty("report").GetProperty("steps").EnumerateArray()
                .ToDictionary(s => s.GetProperty("step").GetString()!, s => s.GetProperty("outcome").GetString());
            Assert.Equal(("Passed", "Passed"), (verified.GetValueOrDefault("verify-queues"), verified.GetValueOrDefault("verify-stores")));
            var exportFiles = rollback.Json.GetProperty("exportFiles").EnumerateArray().Select(f => f.GetString()!).ToList();
            Assert.All(exportFiles, f => Assert.Equal(Path.GetFullPath(exportsDirectory), Path.GetDirectoryName(f)));
            var metastoreExport = Assert.Single(exportFiles, f => f.EndsWith("-metastore-events.jsonl", StringComparison.Ordinal));
            var exported = exportFiles.SelectMany(ReadExport).ToList();
            var ours = accepted.Values.ToHashSet();
            Assert.Contains(exported, e => e.Queue == "metastore-events" && ours.Contains(e.Id));

            await AssertNothingAcceptedWasLostAsync(accepted, exported);
            await AssertEveryDifferenceIsExportedAsync(exported);
            await AssertQueuesEmptyAsync();

            var signoff = (await cli.RunAsync(["signoff", Env, Service, "--json"], token: dana)).Expect(0);
            AssertSignoff(signoff);

            // The runbook replays an export after the service is cut over again, and that cutover needs publishing on (a
            // manual -> shadow gate). Shortened here to what decides the replay: refused while publishing of
            // production/billing is paused (as the rollback leaves it), replayed once publishing is on.
            var refused = (await cli.RunAsync(["replay", metastoreExport], token: dana)).ExpectFailure(1);
            Assert.Contains("409", refused, StringComparison.Ordinal);
            (await cli.RunAsync(["publishing", "on", Env, Service], token: dana)).Expect(0);
            (await cli.RunAsync(["replay", metastoreExport], token: dana)).Expect(0);
            await AssertMetastoreAppliedAsync(exported.Where(e => e.File == metastoreExport && e.Env == Env && e.Service == Service).ToList());

            // Leave the sandbox as the next exercise expects it: no fault, full budgets, no page.
            (await cli.RunAsync(["reset"], timeout: ResetTimeout)).Expect(0);
            finished = true;
        }
        finally
        {
            if (!finished)
            {
                // A failed rehearsal must not leave the stall and the drill faults to the tests after it; its own failure is what the test reports.
                try
                {
                    using var cleared = await metastore.DeleteAsync("/stall");
                    await cli.RunAsync(["reset"], timeout: ResetTimeout);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException)
                {
                    output.WriteLine($"cleaning up after the failure failed too: {e.Message}");
                }
            }
        }
    }

    private static string Token(CliRun issued)
    {
        var token = issued.Expect(0).Stdout.Trim();
        Assert.True(token.Length > 0 && !token.Any(char.IsWhiteSpace), $"token issue must print the token alone:\n{issued.Describe()}");
        return token;
    }

    /// <summary>Sends the commands as billing-app does, each with its own idempotency key; returns each path's event id.</summary>
    private async Task<Dictionary<string, string>> SendCommandsAsync(string serviceToken)
    {
        using var billing = sandbox.HttpClientFor("filestore");
        billing.DefaultRequestHeaders.Authorization = new("Bearer", serviceToken);
        var batch = $"rehearsal/{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        var accepted = new Dictionary<string, string>();
        for (var i = 0; i < AcceptedCommands; i++)
        {
            var path = $"{batch}/invoice-{i:000}.txt";
            var answer = await OkAsync(CommandAsync(billing, Route, new { command = "put", path, text = $"invoice {i} accepted during the incident\n" }));
            Assert.True(answer.GetProperty("executed").GetBoolean(), $"{path}: {answer}");
            accepted[path] = answer.GetProperty("eventId").GetString()!;
        }

        output.WriteLine($"{accepted.Count} commands accepted under {batch} while metastore was stalled");
        return accepted;
    }

    private async Task ClearStallOnceExportedAsync(HttpClient metastore, string exportsDirectory, HashSet<string> before, Task<CliRun> rollback)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? seen = null;
        while (seen is null && !rollback.IsCompleted && clock.Elapsed < RunbookCli.DefaultTimeout)
        {
            seen = Directory.Exists(exportsDirectory)
                ? Directory.GetFiles(exportsDirectory, $"{Env}-{Service}-*-metastore-events.jsonl").FirstOrDefault(f => !before.Contains(f))
                : null;
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        await OkAsync(metastore.DeleteAsync("/stall"));
        output.WriteLine(seen is null
            ? $"metastore's stall cleared after {clock.Elapsed.TotalSeconds:0} s without seeing its export (the rollback ended first)"
            : $"metastore's stall cleared {clock.Elapsed.TotalSeconds:0} s into the rollback, once {Path.GetFileName(seen)} was written");
    }

    private static IEnumerable<ExportedEvent> ReadExport(string file) =>
        File.ReadAllLines(file).Where(line => line.Trim().Length > 0).Select(line =>
        {
            var job = JsonDocument.Parse(line).RootElement;
            var data = job.GetProperty("data");
            string? Field(string name) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) ? v.GetString() : null;
            return new ExportedEvent(file, job.GetProperty("queue").GetString()!, job.GetProperty("id").GetString()!, Field("env"), Field("service"), Field("path"));
        });

    /// <summary>Every accepted command's event is applied by each consumer, or waits in the export of that consumer's queue.</summary>
    private async Task AssertNothingAcceptedWasLostAsync(Dictionary<string, string> accepted, List<ExportedEvent> exported)
    {
        var counts = new Dictionary<string, (int Applied, int Exported)>();
        foreach (var consumer in Consumers)
        {
            using var client = sandbox.HttpClientFor(consumer);
            var inExport = exported.Where(e => e.Queue == $"{consumer}-events").Select(e => e.Id).ToHashSet();
            var result = await Waits.UntilAsync($"every accepted event applied by {consumer} or in its export", Settle, async ct =>
            {
                var (applied, lost) = (0, new List<string>());
                foreach (var (path, eventId) in accepted)
                {
                    if (await AppliedAsync(client, consumer, path, eventId, ct))
                    {
                        applied++;
                    }
                    else if (!inExport.Contains(eventId))
                    {
                        lost.Add($"{path} ({eventId})");
                    }
                }

                return lost.Count == 0
                    ? ((object?)(applied, accepted.Count - applied), "accounted for")
                    : (null, $"{lost.Count} neither applied nor exported: {string.Join(", ", lost.Take(5))}");
            });
            counts[consumer] = ((int, int))result;
        }

        output.WriteLine(string.Join("; ", counts.Select(c => $"{c.Key}: {c.Value.Applied} applied, {c.Value.Exported} in the export")));
        Assert.True(counts["metastore"].Exported > 0, "metastore was stalled, yet none of the accepted commands waited for it in the export");
    }

    /// <summary>Metastore keeps the latest event of a path; Timestore every version, each with its event id.</summary>
    private static async Task<bool> AppliedAsync(HttpClient consumer, string name, string path, string eventId, CancellationToken ct)
    {
        using var response = await consumer.GetAsync($"{Route}/paths?path={Uri.EscapeDataString(path)}", ct);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return name == "metastore"
            ? body.GetProperty("eventId").GetString() == eventId
            : body.EnumerateArray().Any(version => version.GetProperty("eventId").GetString() == eventId);
    }

    /// <summary>The rollback's consistency check, done again here: each consumer differs from the disk only where its queue's export has the event.</summary>
    private async Task AssertEveryDifferenceIsExportedAsync(List<ExportedEvent> exported)
    {
        foreach (var consumer in Consumers)
        {
            using var client = sandbox.HttpClientFor(consumer);
            var report = await OkAsync(client.GetAsync($"{Route}/consistency"));
            var exportedPaths = exported.Where(e => e.Queue == $"{consumer}-events" && e.Env == Env && e.Service == Service).Select(e => e.Path).ToHashSet();
            var unexplained = report.GetProperty("mismatches").EnumerateArray()
                .Where(m => !exportedPaths.Contains(m.GetProperty("path").GetString()))
                .Select(m => $"{m.GetProperty("path").GetString()} ({m.GetProperty("problem").GetString()})")
                .ToList();
            Assert.True(unexplained.Count == 0, $"{consumer} differs from the disk where no exported event explains it: {string.Join(", ", unexplained.Take(10))}");
            output.WriteLine($"{consumer}: {report.GetProperty("mismatches").GetArrayLength()} differences from the disk, all with an exported event");
        }
    }

    /// <summary>Redis itself: nothing waiting or active in either queue once the rollback is done.</summary>
    private async Task AssertQueuesEmptyAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await sandbox.App.GetConnectionStringAsync("redis"))!);
        var db = redis.GetDatabase();
        await Waits.UntilAsync("both queues empty (waiting + active)", Settle, async _ =>
        {
            var pending = new List<string>();
            foreach (var queue in global::Runbook.Targets.QueueInspector.EventQueues)
            {
                var (waiting, active) = (await db.ListLengthAsync($"bull:{queue}:wait"), await db.ListLengthAsync($"bull:{queue}:active"));
                if (waiting + active > 0)
                {
                    pending.Add($"{queue}: {waiting} waiting, {active} active");
                }
            }

            return pending.Count == 0 ? ((object?)pending, "empty") : (null, string.Join("; ", pending));
        });
    }

    private static void AssertSignoff(CliRun signoff)
    {
        var written = signoff.Json;
        var record = written.GetProperty("record");
        Assert.True(File.Exists(written.GetProperty("markdownFile").GetString()), signoff.Describe());
        Assert.True(File.Exists(written.GetProperty("jsonFile").GetString()), signoff.Describe());

        // The rehearsal ends rolled back, and the record says so rather than passing for a cutover still in place.
        Assert.StartsWith("cutover, rolled back at ", record.GetProperty("kind").GetString(), StringComparison.Ordinal);
        Assert.Equal((Env, Service), (record.GetProperty("env").GetString(), record.GetProperty("service").GetString()));
        Assert.Equal(Approver, record.GetProperty("approver").GetString());
        Assert.Contains(Operator, record.GetProperty("operators").EnumerateArray().Select(o => o.GetString()));
        Assert.True(record.GetProperty("noManualFileSystemEdits").GetBoolean());

        var steps = record.GetProperty("steps").EnumerateArray().Select(s => new
        {
            Run = s.GetProperty("run").GetString()!,
            Procedure = s.GetProperty("procedure").GetString()!,
            Step = s.GetProperty("step").GetString()!,
            Outcome = s.GetProperty("outcome").GetString()!,
            At = s.GetProperty("at").GetDateTimeOffset(),
        }).ToList();
        Assert.Superset(RehearsedProcedures.ToHashSet(), steps.Select(s => s.Procedure).ToHashSet());
        // An attempt repeated until it held (the approval with the shared token) is listed; the last run of each procedure must hold.
        foreach (var procedure in steps.GroupBy(s => s.Procedure))
        {
            var last = procedure.GroupBy(s => s.Run).MaxBy(run => run.Min(s => s.At))!;
            Assert.True(last.All(s => s.Outcome == "Passed"),
                $"the last {procedure.Key} run ({last.Key}) has a step that did not pass: {string.Join(", ", last.Where(s => s.Outcome != "Passed").Select(s => s.Step))}");
        }

        var drill = Assert.Single(record.GetProperty("drills").EnumerateArray(), d => d.GetProperty("scenario").GetString() == "watcher-off");
        Assert.True(drill.GetProperty("passed").GetBoolean());
        Assert.Equal("DriftWatcherDisabledOnManagedService", drill.GetProperty("pagedBy").GetString());
        Assert.True(drill.GetProperty("timeToPageSeconds").GetDouble() > 0);
    }

    /// <summary>After the replay, metastore holds each exported event of billing as the path's latest.</summary>
    private async Task AssertMetastoreAppliedAsync(List<ExportedEvent> replayed)
    {
        Assert.NotEmpty(replayed);
        using var metastore = await sandbox.ConsumerAsOperatorAsync("metastore");
        await Waits.UntilAsync("metastore applied every replayed event", Settle, async ct =>
        {
            var missing = new List<string>();
            foreach (var e in replayed)
            {
                if (!await AppliedAsync(metastore, "metastore", e.Path!, e.Id, ct))
                {
                    missing.Add($"{e.Path} ({e.Id})");
                }
            }

            return missing.Count == 0 ? ((object?)replayed, "applied") : (null, $"{missing.Count} not applied: {string.Join(", ", missing.Take(5))}");
        });
        output.WriteLine($"metastore applied all {replayed.Count} replayed events of {Env}/{Service}");
    }
}
