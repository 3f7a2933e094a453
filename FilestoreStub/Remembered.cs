using System.Collections.Concurrent;
using System.Diagnostics;

namespace FilestoreStub;

/// <summary>
/// What Redis said of a key, kept for a moment (one second) because every request asks again. The owner forgets an
/// entry as soon as it changes it; the moment bounds how long a change made elsewhere takes to show.
/// </summary>
public sealed class Remembered<TValue>
{
    private static readonly long Lifetime = Stopwatch.Frequency;
    private readonly ConcurrentDictionary<string, (TValue Value, long Until)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && Stopwatch.GetTimestamp() < entry.Until)
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set(string key, TValue value) => _entries[key] = (value, Stopwatch.GetTimestamp() + Lifetime);

    public void Forget(string key) => _entries.TryRemove(key, out _);
}
