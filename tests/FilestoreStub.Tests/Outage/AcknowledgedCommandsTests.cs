using System.Net;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FilestoreStub.Tests.Outage;

/// <summary>
/// Nothing acknowledged is lost: managed commands flow from four callers while Redis is killed (SIGKILL) and started
/// again from its append-only file. Every command answered 2xx has its event in both queues afterwards (published
/// before the crash and kept by the append-only file, or kept in the outbox and published after); every command
/// answered 503 changed nothing. A server of its own, since it dies.
/// </summary>
public sealed class AcknowledgedCommandsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private FilestoreApp _app = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _app = new FilestoreApp(_redis);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Every_command_answered_2xx_around_a_redis_crash_has_its_event_in_both_queues_and_every_503_changed_nothing()
    {
        var steps = new CutoverSteps(_app);
        var client = await steps.IntoManagedAsync();
        var traffic = PutTraffic.Start(steps, client, n => $"ack/{n:D5}.txt");
        var answers = traffic.Answers;
        await Eventually.Until(() => Task.FromResult(answers.Count(a => a.EventId is not null)), n => n >= 150, TimeSpan.FromSeconds(60), "150 commands acknowledged");
        await _redis.KillAsync();
        var acknowledgedAtCrash = answers.Count(a => a.EventId is not null);
        await Eventually.Until(() => Task.FromResult(answers.Count(a => a.Status == HttpStatusCode.ServiceUnavailable)), n => n >= 20, TimeSpan.FromSeconds(60), "commands refused while Redis is down");
        await _redis.StartAgainAsync();
        var afterRestart = answers.Count;
        await Eventually.Until(() => Task.FromResult(answers.Skip(afterRestart).Count(a => a.Status == HttpStatusCode.OK)), n => n >= 20, TimeSpan.FromSeconds(60), "commands acknowledged after the restart");
        await traffic.StopAsync();

        var acknowledged = answers.Where(a => a.EventId is not null).ToList();
        var refused = answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.All(answers, a => Assert.True(a.EventId is not null || a.Status == HttpStatusCode.ServiceUnavailable, $"{a.Path}: {a.Status}"));
        Assert.All(refused, a => Assert.False(File.Exists(Path.Combine(steps.Root, a.Path)), $"{a.Path} was refused with 503 but written"));
        Assert.All(acknowledged, a => Assert.Equal(a.Path, File.ReadAllText(Path.Combine(steps.Root, a.Path))));

        foreach (var queue in EventQueues.All)
        {
            var missing = await Eventually.Until(async () =>
            {
                var queued = (await QueuedEvents.WaitingAsync(_redis, queue)).Select(e => e.EventId).ToHashSet();
                return acknowledged.Where(a => !queued.Contains(a.EventId!)).Select(a => a.Path).ToList();
            }, m => m.Count == 0, TimeSpan.FromSeconds(60), $"every acknowledged event in {queue}");
            Assert.Empty(missing);
        }

        output.WriteLine($"{answers.Count} commands: {acknowledged.Count} acknowledged ({acknowledgedAtCrash} before the crash, "
                         + $"{acknowledged.Count(a => a.Status == HttpStatusCode.Accepted)} with 202 from the outbox), {refused.Count} refused with 503; lost: 0");
    }
}
