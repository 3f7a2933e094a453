using StackExchange.Redis;

namespace FilestoreStub.Queues;

/// <summary>
/// Every pause Filestore makes of an event queue, attributed, in the Redis stream <c>filestore:queues:audit</c> (capped
/// like the cutover audit): operators' pauses and resumes, and the rollback drains (which pause a queue while they
/// export it). A queue paused with no entry here was paused outside Filestore (redis-cli, a BullMQ client).
/// </summary>
public sealed class QueueAudit(IConnectionMultiplexer redis, TimeProvider time)
{
    public static readonly RedisKey Key = "filestore:queues:audit";

    public async Task<QueueAuditEntry> AppendAsync(string queue, string action, string by, string? reason, string correlationId)
    {
        var entry = new QueueAuditEntry(string.Empty, time.GetUtcNow(), by, queue, action, reason, correlationId);
        var id = await redis.GetDatabase().StreamAddAsync(Key,
        [
            new("at", entry.At.ToString("O")),
            new("by", entry.By),
            new("queue", entry.Queue),
            new("action", entry.Action),
            new("reason", entry.Reason ?? string.Empty),
            new("correlationId", entry.CorrelationId),
        ], maxLength: 10_000, useApproximateMaxLength: true);
        return entry with { Id = id! };
    }

    /// <summary>The newest <paramref name="count"/> entries, newest first.</summary>
    public async Task<IReadOnlyList<QueueAuditEntry>> RecentAsync(int count) =>
        (await redis.GetDatabase().StreamRangeAsync(Key, count: count, messageOrder: Order.Descending))
            .Select(e => new QueueAuditEntry(
                e.Id!, DateTimeOffset.Parse(e["at"]!, System.Globalization.CultureInfo.InvariantCulture), e["by"]!, e["queue"]!, e["action"]!,
                e["reason"].IsNullOrEmpty ? null : e["reason"].ToString(), e["correlationId"]!))
            .ToList();
}
