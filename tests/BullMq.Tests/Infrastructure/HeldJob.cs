namespace BullMq.Tests.Infrastructure;

/// <summary>A handler that holds its job until the worker cancels it, and says when it started and when it was cancelled.</summary>
public sealed class HeldJob
{
    private readonly TaskCompletionSource _started = new();
    private readonly TaskCompletionSource _cancelled = new();

    public Task Started => _started.Task;

    public Task Cancelled => _cancelled.Task;

    public async Task<object?> Handle(Job job, CancellationToken ct)
    {
        _started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }

        return null;
    }
}
