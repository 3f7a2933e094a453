namespace BullMq.Tests.Infrastructure;

/// <summary>One real Redis for every queue test; each test uses queues of its own.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Redis";
}

internal static class RedisServerExtensions
{
    /// <summary>A connection for the code under test, as a service would create it.</summary>
    public static QueueConnection NewQueueConnection(this RedisServer redis) => QueueConnection.Create(redis.Configuration);
}
