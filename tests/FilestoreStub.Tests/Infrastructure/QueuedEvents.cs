using System.Text.Json;
using BullMq;
using FilestoreStub.Events;

namespace FilestoreStub.Tests.Infrastructure;

/// <summary>Reads the events waiting in a consumer queue, as a consumer would receive them.</summary>
public static class QueuedEvents
{
    /// <summary>The waiting events of <paramref name="queue"/> in the order they were published.</summary>
    public static async Task<List<FilestoreEvent>> WaitingAsync(RedisServer redis, string queue)
    {
        var keys = new QueueKeys(queue);
        var events = new List<FilestoreEvent>();
        // Producers push at the head of the wait list: read it from the tail to get the publishing order.
        foreach (var id in (await redis.Db.ListRangeAsync(keys.Wait)).Reverse())
        {
            var data = await redis.Db.HashGetAsync(keys.Job(id!), "data");
            events.Add(JsonSerializer.Deserialize<FilestoreEvent>(data.ToString())!);
        }

        return events;
    }
}
