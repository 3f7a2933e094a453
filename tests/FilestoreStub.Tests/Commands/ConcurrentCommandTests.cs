using System.Net;
using System.Security.Cryptography;
using System.Text;
using FilestoreStub.Commands;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Commands;

/// <summary>Managed commands racing on one path: the path locks serialise them, so the disk and the events tell the same story.</summary>
[Collection(RedisCollection.Name)]
public sealed class ConcurrentCommandTests(RedisServer redis) : FilestoreTest(redis)
{
    private const int Racers = 16;

    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private async Task<List<FilestoreEvent>> EventsOfAsync(string queue, string path) =>
        (await QueuedEvents.WaitingAsync(Redis, queue)).Where(e => e.Source == EventSources.Command && e.Path == path).ToList();

    /// <summary>
    /// Sends the racers while the test holds the lock of <paramref name="contended"/>, and lets them go once every one has
    /// claimed its key (and so is checking the disk or waiting for the lock): they all check before any of them changes anything.
    /// </summary>
    private async Task<HttpStatusCode[]> RaceAsync(HttpClient client, string contended, Func<int, object> body)
    {
        var prepared = App.Services.GetRequiredService<FileCommands>().Prepare(Steps.Env, Steps.Service, new FileCommand("put", contended, Content: [1]));
        var held = await App.Services.GetRequiredService<PathLocks>().AcquireAsync(prepared, CancellationToken.None);
        var key = $"race-{Guid.NewGuid():N}";
        var sent = Enumerable.Range(0, Racers).Select(i => Steps.CommandAsync(client, body(i), key: $"{key}-{i}")).ToList();
        var claims = Enumerable.Range(0, Racers).Select(i => IdempotencyStore.Key(Steps.Env, Steps.Service, CutoverSteps.Principal, $"{key}-{i}")).ToArray();
        await Eventually.Until(() => Redis.Db.KeyExistsAsync(claims), n => n == Racers, what: "every racer's claim");
        held.Dispose();

        var responses = await Task.WhenAll(sent);
        var statuses = responses.Select(r => r.StatusCode).ToArray();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        return statuses;
    }

    [Fact]
    public async Task Puts_racing_on_one_path_are_all_applied_in_the_order_of_their_events_and_the_file_holds_the_last()
    {
        var client = await Steps.IntoManagedAsync();

        var statuses = await RaceAsync(client, "race/contended.txt", i => new { command = "put", path = "race/contended.txt", text = $"writer {i}" });

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var onDisk = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Steps.Root, "race", "contended.txt"))));
        foreach (var queue in EventQueues.All)
        {
            var events = (await EventsOfAsync(queue, "race/contended.txt")).OrderBy(e => e.Sequence).ToList();
            Assert.Equal(Racers, events.Select(e => e.Sequence).Distinct().Count());
            // Every writer's content is in exactly one event: no write was lost or told twice.
            Assert.Equal(
                Enumerable.Range(0, Racers).Select(i => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"writer {i}")))).Order(),
                events.Select(e => e.Sha256).Order());
            // A consumer applying them by sequence ends with what is on disk, having seen the file created once.
            Assert.Equal(onDisk, events[^1].Sha256);
            Assert.Equal([EventKinds.Created, .. Enumerable.Repeat(EventKinds.Modified, Racers - 1)], events.Select(e => e.Kind));
        }
    }

    [Fact]
    public async Task Deletes_racing_on_one_file_delete_it_once_and_the_others_find_nothing_there()
    {
        var client = await Steps.IntoManagedAsync();
        using (var put = await Steps.CommandAsync(client, new { command = "put", path = "race/doomed.txt", text = "here" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var statuses = await RaceAsync(client, "race/doomed.txt", _ => new { command = "delete", path = "race/doomed.txt" });

        Assert.Equal((1, Racers - 1), (statuses.Count(s => s == HttpStatusCode.OK), statuses.Count(s => s == HttpStatusCode.NotFound)));
        Assert.False(File.Exists(Path.Combine(Steps.Root, "race", "doomed.txt")));
        foreach (var queue in EventQueues.All)
        {
            Assert.Equal([EventKinds.Created, EventKinds.Deleted], (await EventsOfAsync(queue, "race/doomed.txt")).OrderBy(e => e.Sequence).Select(e => e.Kind));
        }
    }

    [Fact]
    public async Task Moves_racing_to_one_destination_move_one_file_there_and_refuse_the_others_with_nothing_changed()
    {
        var client = await Steps.IntoManagedAsync();
        for (var i = 0; i < Racers; i++)
        {
            using var put = await Steps.CommandAsync(client, new { command = "put", path = $"race/source-{i}.txt", text = $"source {i}" });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var statuses = await RaceAsync(client, "race/target.txt", i => new { command = "move", path = $"race/source-{i}.txt", to = "race/target.txt" });

        Assert.Equal((1, Racers - 1), (statuses.Count(s => s == HttpStatusCode.OK), statuses.Count(s => s == HttpStatusCode.Conflict)));
        var renamed = Assert.Single(await EventsOfAsync(EventQueues.Metastore, "race/target.txt"));
        Assert.Equal(EventKinds.Renamed, renamed.Kind);
        Assert.Equal(File.ReadAllText(Path.Combine(Steps.Root, "race", "target.txt")), $"source {renamed.PreviousPath!["race/source-".Length..^".txt".Length]}");
        Assert.Equal(Racers - 1, Directory.GetFiles(Path.Combine(Steps.Root, "race"), "source-*.txt").Length);
    }
}
