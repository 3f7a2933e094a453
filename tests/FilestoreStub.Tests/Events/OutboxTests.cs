using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Events;

/// <summary>The outbox relay: what waits is published in order, what can never be published is set aside.</summary>
[Collection(RedisCollection.Name)]
public sealed class OutboxTests(RedisServer redis) : FilestoreTest(redis)
{
    [Fact]
    public async Task Waiting_events_are_published_and_unpublishable_files_are_set_aside_without_stopping_the_relay()
    {
        var outbox = Directory.CreateDirectory(Path.Combine(App.DataDirectory, "outbox")).FullName;
        File.WriteAllText(Path.Combine(outbox, "torn.json"), "{\"eventId\":");
        // Written by a stub from before events carried a sequence.
        File.WriteAllText(Path.Combine(outbox, "old.json"),
            """{"eventId":"old","env":"staging","service":"billing","path":"a.txt","kind":"created","source":"command","occurredAt":1,"correlationId":"c"}""");
        File.WriteAllText(Path.Combine(outbox, "waiting.json"),
            """{"eventId":"cmd-waiting","env":"staging","service":"billing","path":"b.txt","kind":"created","source":"command","occurredAt":1,"correlationId":"c","sequence":5,"size":1,"sha256":"ab"}""");

        _ = App.Server;

        await Eventually.Until(() => QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore), e => e.Any(x => x.EventId == "cmd-waiting"), what: "the waiting event published");
        await Eventually.Until(() => Task.FromResult(Directory.GetFiles(outbox).Select(Path.GetFileName).Order().ToList()),
            files => files.SequenceEqual(["old.json.rejected", "torn.json.rejected"]), what: "the unpublishable files set aside");
        await Eventually.Until(() => App.CreateClient().GetStringAsync("/metrics"),
            m => System.Text.RegularExpressions.Regex.IsMatch(m, @"filestore_outbox_events\{[^}]*\} 0\b"), what: "an empty outbox on the gauge");
    }
}
