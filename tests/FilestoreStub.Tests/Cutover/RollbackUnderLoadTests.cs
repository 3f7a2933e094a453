using System.Net;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FilestoreStub.Tests.Cutover;

/// <summary>
/// A rollback started at a random point of a busy run: four callers keep sending commands, two consumers apply events
/// at a random pace, and the drain has a random deadline. Each seed is one repetition, printed so a failure can be
/// replayed. Every time, every event accepted is applied by a consumer or exported, never both, nothing is left in the
/// queues, and the policy and tokens are as they were.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RollbackUnderLoadTests(RedisServer redis, ITestOutputHelper output) : FilestoreTest(redis)
{
    // Refusals that say why: publishing stopped by the rollback (503), or the service manual again (409).
    private static readonly string[] ExpectedRefusals = ["503 publishing-paused", "409 not-cut-over"];

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 20)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task A_rollback_at_a_random_point_of_a_busy_run_applies_or_exports_every_accepted_event_once_and_keeps_policy_and_tokens(int seed)
    {
        var random = new Random(seed);
        var busyFor = TimeSpan.FromMilliseconds(random.Next(50, 1500));
        var applyEvery = TimeSpan.FromMilliseconds(random.Next(0, 12));
        var concurrency = random.Next(1, 5);
        var drainDeadlineSeconds = random.Next(0, 4);
        output.WriteLine($"seed {seed}: rollback after {busyFor.TotalMilliseconds} ms, consumers apply every {applyEvery.TotalMilliseconds} ms "
                         + $"at concurrency {concurrency}, drain deadline {drainDeadlineSeconds} s");

        var steps = new CutoverSteps(App);
        var client = await steps.IntoManagedAsync();
        var policy = await steps.Operator.GetStringAsync($"/envs/{steps.Env}/policy");
        await using var consumers = Consumers.Start(Redis, applyEvery, concurrency);
        // A refused caller waits before it tries again, as Retry-After asks (shorter here).
        var traffic = PutTraffic.Start(steps, client, n => $"busy/{n % 300}.txt", pauseAfterRefusal: TimeSpan.FromMilliseconds(50));
        await Task.Delay(busyFor);

        // The drain waits on the stub's clock, which only the test moves: a second of it every 40 ms from here on.
        using var clockRuns = new CancellationTokenSource();
        var clock = Task.Run(async () =>
        {
            while (!clockRuns.IsCancellationRequested)
            {
                App.Clock.Advance(TimeSpan.FromMilliseconds(250));
                await Task.Delay(10);
            }
        });
        try
        {
            using var rollback = await steps.TransitionAsync("manual", drainDeadlineSeconds).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            await traffic.StopAsync();

            // Nothing of the service may wait in the outbox after its rollback: what was there is in the export.
            await Eventually.Until(() => Scrape.ValueAsync(App, "filestore_outbox_events"), n => n == 0, TimeSpan.FromSeconds(60), "the outbox empty");
            foreach (var queue in EventQueues.All)
            {
                await Eventually.Until(() => Consumers.PendingAsync(Redis, queue), n => n == 0, TimeSpan.FromSeconds(60), $"nothing pending in {queue}");
            }

            await consumers.StopAsync();
        }
        finally
        {
            await clockRuns.CancelAsync();
            await clock;
        }

        var accepted = traffic.Acknowledged.Select(a => a.EventId!).ToList();
        var refused = traffic.Answers.Where(a => a.EventId is null).Select(a => $"{(int?)a.Status} {a.Problem}").ToList();
        var exported = Consumers.Exported(App.DataDirectory);
        foreach (var queue in EventQueues.All)
        {
            var applied = consumers.Applied[queue].ToList();
            output.WriteLine($"{queue}: {accepted.Count} accepted; {applied.Count} applied, {exported[queue].Count} exported");
            Assert.Equal(applied.Count, applied.Distinct().Count());
            Assert.Empty(applied.Intersect(exported[queue]));
            Assert.Empty(accepted.Except(applied).Except(exported[queue]));
        }

        output.WriteLine($"refused: {string.Join(", ", refused.GroupBy(r => r).Select(g => $"{g.Count()} x {g.Key}"))}");
        Assert.All(refused, r => Assert.Contains(r, ExpectedRefusals));
        Assert.Equal("manual", (await steps.StateAsync()).GetProperty("mode").GetString());
        Assert.Equal(policy, await steps.Operator.GetStringAsync($"/envs/{steps.Env}/policy"));
        using var whoami = await client.GetAsync("/access/whoami");
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
    }
}
