using System.Text.Json;
using FilestoreStub.Roots;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Events;

/// <summary>
/// Events of changes already made on disk that could not be published at that moment (Redis unreachable, a queue
/// draining, publishing paused). Each waits as a file in <c>&lt;DataDirectory&gt;/outbox</c> and a relay publishes it
/// as soon as it can; the event id makes a late or repeated publish harmless.
/// </summary>
public sealed class EventOutbox(IOptions<ManagedRootOptions> options)
{
    private readonly string _folder = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "outbox");

    public async Task StageAsync(FilestoreEvent @event, CancellationToken ct = default)
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, @event.EventId + ".json");
        var temporary = file + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(@event), ct);
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>The waiting events, oldest first.</summary>
    public IReadOnlyList<(string File, FilestoreEvent Event)> Pending()
    {
        if (!Directory.Exists(_folder))
        {
            return [];
        }

        return new DirectoryInfo(_folder).EnumerateFiles("*.json")
            .OrderBy(f => f.LastWriteTimeUtc)
            .Select(f => (f.FullName, JsonSerializer.Deserialize<FilestoreEvent>(File.ReadAllText(f.FullName))!))
            .ToList();
    }

    public int Count => Directory.Exists(_folder) ? Directory.EnumerateFiles(_folder, "*.json").Count() : 0;
}

/// <summary>Publishes what waits in the <see cref="EventOutbox"/>, oldest first, every second.</summary>
internal sealed class OutboxRelay(EventOutbox outbox, EventPublisher publisher, ILogger<OutboxRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await RelayAsync(stoppingToken);
        }
    }

    /// <summary>Publishes every waiting event it can; stops at the first that cannot go yet, to keep the order.</summary>
    public async Task RelayAsync(CancellationToken ct)
    {
        foreach (var (file, @event) in outbox.Pending())
        {
            try
            {
                await publisher.PublishAsync(@event, ct);
                File.Delete(file);
                OutboxLog.Relayed(logger, @event.EventId, @event.Env, @event.Service);
            }
            catch (Exception e) when (EventPublisher.IsUnavailable(e))
            {
                return;
            }
        }
    }
}

internal static partial class OutboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Published event {EventId} of {Env}/{Service} from the outbox")]
    public static partial void Relayed(ILogger logger, string eventId, string env, string service);
}
