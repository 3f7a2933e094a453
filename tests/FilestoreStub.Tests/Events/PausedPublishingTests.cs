using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Seeding;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Events;

/// <summary>While a service's publishing is paused nothing of it reaches the queues, and nothing is lost: it follows on resume.</summary>
[Collection(RedisCollection.Name)]
public sealed class PausedPublishingTests(RedisServer redis) : FilestoreTest(redis)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private async Task<List<(string Queue, FilestoreEvent Event)>> EventsAsync(string source)
    {
        var found = new List<(string, FilestoreEvent)>();
        foreach (var queue in EventQueues.All)
        {
            found.AddRange((await QueuedEvents.WaitingAsync(Redis, queue))
                .Where(e => e.Source == source && e.Env == Steps.Env && e.Service == Steps.Service).Select(e => (queue, e)));
        }

        return found;
    }

    [Fact]
    public async Task Drift_seen_while_publishing_is_paused_is_held_and_published_once_on_resume()
    {
        await Steps.WatcherAsync(true);
        await Steps.PublishingAsync(false);

        File.WriteAllText(Path.Combine(Steps.Root, "while-paused.txt"), "written while paused");
        // The watcher saw the change and could not publish it: from here on it is held, not lost.
        await Eventually.Until(() => Task.FromResult(App.Logs.Messages),
            m => m.Any(l => l.StartsWith($"Drift watcher of {Steps.Service} in {Steps.Env} could not publish", StringComparison.Ordinal)),
            what: "the watcher's failed publish");

        Assert.Empty(await EventsAsync(EventSources.Drift));

        await Steps.PublishingAsync(true);

        var drift = await Eventually.Until(() => EventsAsync(EventSources.Drift), e => e.Count == EventQueues.All.Length, what: "the held drift in both queues");
        Assert.Equal(EventQueues.All.Order(), drift.Select(d => d.Queue).Order());
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Steps.Root, "while-paused.txt"))));
        Assert.All(drift, d => Assert.Equal(("while-paused.txt", EventKinds.Created, sha), (d.Event.Path, d.Event.Kind, d.Event.Sha256)));
        // Retried scan after scan while paused, it is still one event: its id comes from what was seen.
        Assert.Single(drift.Select(d => d.Event.EventId).Distinct());
    }

    [Fact]
    public async Task Seeding_while_publishing_is_paused_is_refused_publishes_nothing_and_is_not_recorded_as_complete_or_running()
    {
        await Steps.PublishingAsync(false);

        using var refused = await Steps.Operator.PostAsync($"{Steps.Route}/seed", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.EndsWith("/events-unavailable", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Empty(await EventsAsync(EventSources.Seed));
        var record = await Steps.Operator.GetFromJsonAsync<SeedReport>($"{Steps.Route}/seed", Json);
        Assert.Equal(SeedStatus.Failed, record!.Status);
        var seeded = (await Steps.StateAsync()).GetProperty("next").EnumerateArray().Single().GetProperty("gates").EnumerateArray()
            .Single(g => g.GetProperty("name").GetString() == "seeded");
        Assert.False(seeded.GetProperty("passed").GetBoolean());

        await Steps.PublishingAsync(true);
        using var again = await Steps.Operator.PostAsync($"{Steps.Route}/seed", null);

        var report = (await again.Content.ReadFromJsonAsync<SeedReport>(Json))!;
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((SeedStatus.Completed, report.Files, 0), (report.Status, report.Published, report.AlreadyPublished));
        Assert.True(report.Files > 0);
        Assert.Equal(report.Files * EventQueues.All.Length, (await EventsAsync(EventSources.Seed)).Count);
    }
}
