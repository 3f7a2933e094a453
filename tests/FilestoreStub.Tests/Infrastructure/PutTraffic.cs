using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace FilestoreStub.Tests.Infrastructure;

/// <summary>
/// Callers sending managed <c>put</c> commands, each with its own idempotency key, until stopped; every answer is
/// recorded. A caller whose request gets no answer at all (the stub died) records it as unanswered and stops.
/// </summary>
public sealed class PutTraffic
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _callers;
    private int _sent;

    /// <summary>One command and what came back: no status when nothing answered; the event id of a 2xx; the problem type of the rest.</summary>
    public sealed record Answer(string Path, string Key, HttpStatusCode? Status, string? EventId, string? Problem);

    private PutTraffic(CutoverSteps steps, HttpClient client, int callers, Func<int, string> pathOf, TimeSpan pauseAfterRefusal)
    {
        _callers = Enumerable.Range(0, callers).Select(_ => Task.Run(() => CallAsync(steps, client, pathOf, pauseAfterRefusal))).ToList();
    }

    public ConcurrentQueue<Answer> Answers { get; } = new();

    /// <summary>
    /// Starts <paramref name="callers"/> callers; the n-th command writes its own path to <paramref name="pathOf"/>(n). A
    /// refused caller waits <paramref name="pauseAfterRefusal"/> before it tries again, as Retry-After asks.
    /// </summary>
    public static PutTraffic Start(CutoverSteps steps, HttpClient client, Func<int, string> pathOf, int callers = 4, TimeSpan pauseAfterRefusal = default) =>
        new(steps, client, callers, pathOf, pauseAfterRefusal);

    public IEnumerable<Answer> Acknowledged => Answers.Where(a => a.EventId is not null);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task CallAsync(CutoverSteps steps, HttpClient client, Func<int, string> pathOf, TimeSpan pauseAfterRefusal)
    {
        while (!_stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _sent);
            var (path, key) = (pathOf(n), $"traffic-{n}-{Guid.NewGuid():N}");
            try
            {
                using var response = await steps.CommandAsync(client, new { command = "put", path, text = path }, key);
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Answers.Enqueue(response.IsSuccessStatusCode
                    ? new Answer(path, key, response.StatusCode, body.GetProperty("eventId").GetString(), null)
                    : new Answer(path, key, response.StatusCode, null, body.GetProperty("type").GetString()!.Split('/')[^1]));
                if (!response.IsSuccessStatusCode)
                {
                    await Task.Delay(pauseAfterRefusal);
                }
            }
            catch (HttpRequestException)
            {
                // The stub died with this command in flight (or before it arrived): its outcome is unknown to the caller.
                Answers.Enqueue(new Answer(path, key, null, null, null));
                return;
            }
        }
    }
}
