namespace Sandbox.Testing;

/// <summary>Waits for a condition with a deadline, so no test hangs; fails with what was last seen.</summary>
public static class Eventually
{
    /// <summary>
    /// Reads until <paramref name="done"/> holds. A read that throws counts as "not yet" (a service still starting, a
    /// connection coming back); at the deadline the last value or the last error is in the failure.
    /// </summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        string lastSeen = "nothing read yet";
        Exception? lastError = null;
        while (true)
        {
            try
            {
                var value = await read();
                if (done(value))
                {
                    return value;
                }

                lastSeen = $"last value: {Describe(value)}";
                lastError = null;
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                lastSeen = $"last read failed: {error.GetType().Name}: {error.Message}";
                lastError = error;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what ?? "condition"}; {lastSeen}", lastError);
            }

            await Task.Delay(50);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IDictionary d => string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}={d[k]}")),
        _ => value?.ToString() ?? "null",
    };
}
