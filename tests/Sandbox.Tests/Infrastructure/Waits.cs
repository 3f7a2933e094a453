namespace Sandbox.Tests.Infrastructure;

/// <summary>Every wait in these tests has a deadline: Aspire's own waits otherwise hang forever.</summary>
public static class Waits
{
    public static readonly TimeSpan AppStart = TimeSpan.FromMinutes(3);
    public static readonly TimeSpan ResourceHealthy = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan Scrape = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Request = Deadlines.Request;
    /// <summary>
    /// A program the tests run (promtool, Chromium, the AppHost for a setup error). A guard against a hang, not a
    /// speed limit: promtool's rule tests take 20 s alone and over 90 s while the live sandboxes run beside them.
    /// </summary>
    public static readonly TimeSpan Process = TimeSpan.FromMinutes(5);

    /// <summary>One runnable block of a document; a runbook step may build the operator CLI or wait for consumers.</summary>
    public static readonly TimeSpan DocBlock = TimeSpan.FromMinutes(5);

    /// <summary>Polls <paramref name="probe"/> until it returns a value or the deadline passes; then fails with the last reason.</summary>
    public static async Task<T> UntilAsync<T>(string what, TimeSpan timeout, Func<CancellationToken, Task<(T? Value, string Reason)>> probe)
        where T : class
    {
        using var deadline = new CancellationTokenSource(timeout);
        var lastReason = "never probed";
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                var (value, reason) = await probe(deadline.Token);
                if (value is not null)
                {
                    return value;
                }

                lastReason = reason;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                lastReason = e.Message;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token);
            }
            catch (TaskCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}; last: {lastReason}");
    }
}
