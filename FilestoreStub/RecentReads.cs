using Microsoft.Extensions.Caching.Memory;

namespace FilestoreStub;

/// <summary>
/// What Redis said of a key, kept for a moment (one second) because every request asks again. Bounded: a flood of
/// keys nobody asks for twice (made-up bearer tokens) fills it up to its capacity and no further, and what expires is
/// dropped. The owner removes an entry as soon as it changes it; the moment bounds how long a change made elsewhere
/// takes to show. The moment is measured on the service's own clock, like every other time in it, so a test decides
/// when it has passed instead of the machine's speed.
/// </summary>
public static class RecentReads
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    /// <summary>A cache of at most <paramref name="capacity"/> entries whose moments pass on <paramref name="time"/>.</summary>
    public static MemoryCache Create(int capacity, TimeProvider time) => new(new MemoryCacheOptions
    {
        Clock = new Clock(time),
        SizeLimit = capacity,
        // Expired entries are swept this often while the cache is used, not only when read again.
        ExpirationScanFrequency = TimeSpan.FromSeconds(10),
    });

    public static void Remember<TValue>(this IMemoryCache cache, string key, TValue value) =>
        cache.Set(key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });

    private sealed class Clock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
