using System.Net;
using System.Text.Json;
using BullMq;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FilestoreStub.Tests.Outage;

/// <summary>
/// The stub killed with SIGKILL (its own process, as the AppHost runs it) in the middle of a burst of commands and in
/// the middle of a rollback, then started again on the same Redis and data folder. A server of its own per test.
/// </summary>
public sealed class StubCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly string _data = Directory.CreateTempSubdirectory("filestore-crash-").FullName;

    public Task InitializeAsync() => _redis.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Killed_during_a_burst_it_keeps_every_acknowledged_command_and_a_retry_with_the_same_key_settles_each_unanswered_one()
    {
        await using var first = await StubProcess.StartAsync(_redis, _data);
        var steps = new CutoverSteps(first);
        using var client = await steps.IntoManagedAsync();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var traffic = PutTraffic.Start(steps, client, n => $"burst/{n:D5}.txt");
        await Eventually.Until(() => Task.FromResult(traffic.Acknowledged.Count()), n => n >= 200, TimeSpan.FromSeconds(60), "200 commands acknowledged");
        await first.KillAsync();
        await traffic.StopAsync();
        var sent = traffic.Answers.ToList();

        await using var second = await StubProcess.StartAsync(_redis, _data);
        var again = new CutoverSteps(second);
        using var retrying = second.ClientWith(token);
        var acknowledged = sent.Where(s => s.EventId is not null).ToList();
        var unanswered = sent.Where(s => s.Status is null).ToList();
        // Until a key's claim lapses (a minute), the retry of a command the crash interrupted is told it is in progress.
        var settled = new List<PutTraffic.Answer>();
        foreach (var command in unanswered)
        {
            var (status, body) = await Eventually.Until(async () =>
            {
                using var response = await again.CommandAsync(retrying, new { command = "put", path = command.Path, text = command.Path }, command.Key);
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }, answer => answer.StatusCode != HttpStatusCode.Conflict, TimeSpan.FromSeconds(90), $"a retry of {command.Path} settled");
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{command.Path}: {(int)status} {body}");
            settled.Add(command with { Status = status, EventId = EventIdOf(body) });
        }

        output.WriteLine($"{acknowledged.Count} acknowledged before the kill, {unanswered.Count} unanswered and settled by a retry");
        Assert.All(sent.Where(s => s.Status is not null), s => Assert.True(s.EventId is not null, $"{s.Path} answered {s.Status} before the kill"));
        Assert.Equal("managed", (await again.StateAsync()).GetProperty("mode").GetString());
        Assert.All(acknowledged.Concat(settled), s => Assert.Equal(s.Path, File.ReadAllText(Path.Combine(again.Root, s.Path))));
        foreach (var queue in EventQueues.All)
        {
            var missing = await Eventually.Until(async () =>
            {
                var queued = (await QueuedEvents.WaitingAsync(_redis, queue)).Select(e => e.EventId).ToHashSet();
                return acknowledged.Concat(settled).Where(s => !queued.Contains(s.EventId!)).Select(s => s.Path).ToList();
            }, m => m.Count == 0, TimeSpan.FromSeconds(60), $"every acknowledged or settled command's event in {queue}");
            Assert.Empty(missing);
        }
    }

    [Fact]
    public async Task Killed_during_a_rollback_it_leaves_the_service_managed_and_a_second_rollback_applies_or_exports_every_accepted_event()
    {
        await using var first = await StubProcess.StartAsync(_redis, _data);
        var steps = new CutoverSteps(first);
        using var client = await steps.IntoManagedAsync();
        var policy = await steps.Operator.GetStringAsync($"/envs/{steps.Env}/policy");
        var accepted = new List<string>();
        for (var n = 0; n < 120; n++)
        {
            using var put = await steps.CommandAsync(client, new { command = "put", path = $"before-rollback/{n}.txt", text = $"{n}" });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            accepted.Add(EventIdOf(await put.Content.ReadAsStringAsync()));
        }

        // Slow consumers, so the drain is still under way when the stub dies.
        await using var consumers = Consumers.Start(_redis, applyEvery: TimeSpan.FromMilliseconds(30));
        var rollback = steps.TransitionAsync("manual", drainDeadlineSeconds: 120);
        await Eventually.Until(() => _redis.Db.HashExistsAsync(new QueueKeys(EventQueues.Metastore).Meta, "sandbox:draining"), draining => draining,
            TimeSpan.FromSeconds(30), "the rollback draining metastore-events");
        await first.KillAsync();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => rollback);
        await consumers.StopAsync();
        var appliedBeforeRestart = consumers.Applied.Values.Sum(a => a.Count);

        await using var second = await StubProcess.StartAsync(_redis, _data);
        var again = new CutoverSteps(second);
        var state = await again.StateAsync();
        // Where the killed rollback stopped: watcher off and publishing paused, but still managed.
        Assert.Equal(("managed", false, true),
            (state.GetProperty("mode").GetString(), state.GetProperty("watcherEnabled").GetBoolean(), state.GetProperty("publishingPaused").GetBoolean()));

        // The operator runs the rollback again; with the consumers gone, the drain exports what is left.
        using var retried = await again.TransitionAsync("manual", drainDeadlineSeconds: 0);
        Assert.True(retried.StatusCode == HttpStatusCode.OK, await retried.Content.ReadAsStringAsync());
        Assert.Equal("manual", (await again.StateAsync()).GetProperty("mode").GetString());

        var exported = Consumers.Exported(_data);
        foreach (var queue in EventQueues.All)
        {
            var applied = consumers.Applied[queue].ToHashSet();
            Assert.Empty(applied.Intersect(exported[queue]));
            Assert.Empty(accepted.Except(applied).Except(exported[queue]));
            Assert.Equal(0, await PendingAsync(queue));
        }

        output.WriteLine($"{appliedBeforeRestart} applied before the kill; exported after: "
                         + string.Join(", ", EventQueues.All.Select(q => $"{q} {exported[q].Count}")));
        Assert.Equal(policy, await again.Operator.GetStringAsync($"/envs/{steps.Env}/policy"));
        using var service = second.ClientWith(client.DefaultRequestHeaders.Authorization!.Parameter);
        using var whoami = await service.GetAsync("/access/whoami");
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
    }

    private static string EventIdOf(string commandAnswer) => JsonDocument.Parse(commandAnswer).RootElement.GetProperty("eventId").GetString()!;

    private Task<long> PendingAsync(string queue) => Consumers.PendingAsync(_redis, queue);
}
