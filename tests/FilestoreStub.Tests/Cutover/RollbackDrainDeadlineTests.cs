using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BullMq;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Cutover;

/// <summary>A rollback whose drain reaches its deadline while a consumer still holds a job.</summary>
[Collection(RedisCollection.Name)]
public sealed class RollbackDrainDeadlineTests(RedisServer redis) : FilestoreTest(redis)
{
    [Fact]
    public async Task A_job_still_active_at_the_deadline_is_reported_left_to_its_worker_and_not_exported_while_the_rest_is()
    {
        var steps = new CutoverSteps(App);
        var client = await steps.IntoManagedAsync();
        using (var put = await steps.CommandAsync(client, new { command = "put", path = "in-flight.txt", text = "x" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // A real consumer takes one metastore job and does not finish it until the test lets it.
        var keys = new QueueKeys(EventQueues.Metastore);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = QueueConnection.Create(Redis.Configuration);
        await using var worker = new QueueWorker(connection, EventQueues.Metastore, async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return null;
        });
        worker.Start();
        var active = (string)(await Eventually.Until(() => Redis.Db.ListRangeAsync(keys.Active), ids => ids.Length == 1, what: "one job held by the consumer"))[0]!;
        var waiting = (await Redis.Db.ListRangeAsync(keys.Wait)).Select(v => (string)v!).Order().ToList();
        Assert.NotEmpty(waiting);

        // The drain polls on the stub's clock, which only the test moves: the deadline is 0, and the in-flight job gets its grace period.
        var rollback = steps.TransitionAsync("manual", drainDeadlineSeconds: 0);
        var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!rollback.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < giveUpAt, "The rollback did not finish within a minute.");
            App.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(rollback, Task.Delay(50));
        }

        using var response = await rollback;
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, outcome.ToString());
        Assert.Equal("manual", (await steps.StateAsync()).GetProperty("mode").GetString());
        var drain = outcome.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "drain-queues");
        Assert.Equal("done", drain.GetProperty("outcome").GetString());
        Assert.Matches($"{EventQueues.Metastore}: 0 processed, {waiting.Count} exported to [^,]+, 1 still active, deadline reached", drain.GetProperty("detail").GetString());

        // Everything waiting was exported and removed; the held job was neither: it is still its worker's.
        var export = Directory.GetFiles(Path.Combine(App.DataDirectory, "exports"), "staging-billing-*-metastore-events.jsonl").Single();
        var exported = File.ReadAllLines(export).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).Order().ToList();
        Assert.Equal(waiting, exported);
        Assert.DoesNotContain(active, exported);
        Assert.Equal([active], (await Redis.Db.ListRangeAsync(keys.Active)).Select(v => (string)v!));
        Assert.Equal(0, await Redis.Db.ListLengthAsync(keys.Wait));
        Assert.False(await Redis.Db.HashExistsAsync(keys.Meta, "paused"));

        // The consumer finishes the job after the rollback, as it would have without one.
        release.SetResult();
        await Eventually.Until(() => Redis.Db.SortedSetScoreAsync(keys.Completed, active), score => score is not null, what: "the held job completed by its worker");
    }
}
