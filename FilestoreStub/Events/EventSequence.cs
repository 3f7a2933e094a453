namespace FilestoreStub.Events;

/// <summary>
/// Orders the changes Filestore publishes: a number that only grows, near the clock (microseconds since 1970) so it
/// keeps growing across restarts, and one more than the last when the clock has not moved. Whoever observes or makes
/// a change takes its number at that moment (before reading a file for seeding or a scan, right after executing a
/// command), so a later change of the same path always has a higher number.
/// </summary>
public sealed class EventSequence(TimeProvider time)
{
    private long _last;

    public long Next()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(last + 1, time.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return next;
            }
        }
    }
}
