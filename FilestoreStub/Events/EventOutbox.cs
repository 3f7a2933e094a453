using System.Diagnostics.Metrics;
using System.Text.Json;
using FilestoreStub.Roots;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Events;

/// <summary>
/// Events of changes already made on disk that could not be published at that moment (Redis unreachable, a queue
/// draining, publishing paused). Each waits as a file in <c>&lt;DataDirectory&gt;/outbox</c> and a relay publishes it
/// as soon as it can; the event id makes a late or repeated publish harmless.
/// </summary>
public sealed class EventOutbox
{
    private readonly string _folder;

    public EventOutbox(IOptions<ManagedRootOptions> options, IMeterFactory meterFactory)
    {
        _folder = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "outbox");
        meterFactory.Create(FilestoreTelemetry.MeterName).CreateObservableGauge("filestore_outbox_events", () => Count,
            description: "Events of changes already made that wait in the outbox for the queues to take them.");
    }

    public async Task StageAsync(FilestoreEvent @event, CancellationToken ct = default)
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, @event.EventId + ".json");
        var temporary = file + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(@event), ct);
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>The waiting events, oldest first; null for a file that cannot be read as an event.</summary>
    public IReadOnlyList<(string File, FilestoreEvent? Event)> Pending()
    {
        if (!Directory.Exists(_folder))
        {
            return [];
        }

        return new DirectoryInfo(_folder).EnumerateFiles("*.json")
            .OrderBy(f => f.LastWriteTimeUtc)
            .Select(f => (f.FullName, Read(f.FullName)))
            .ToList();
    }

    private static FilestoreEvent? Read(string file)
    {
        try
        {
            return JsonSerializer.Deserialize<FilestoreEvent>(File.ReadAllText(file));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private int Count => Directory.Exists(_folder) ? Directory.EnumerateFiles(_folder, "*.json").Count() : 0;
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
    private async Task RelayAsync(CancellationToken ct)
    {
        foreach (var (file, @event) in outbox.Pending())
        {
            if (@event is null)
            {
                SetAside(file, "not an event");
                continue;
            }

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
            catch (ArgumentException e)
            {
                SetAside(file, e.Message);
            }
        }
    }

    // An event no publish can take (unreadable, or written by an older stub without a sequence) is set aside for an
    // operator, so it neither blocks the events behind it nor stops the stub.
    private void SetAside(string file, string reason)
    {
        File.Move(file, file + ".rejected", overwrite: true);
        OutboxLog.Rejected(logger, file, reason);
    }
}

internal static partial class OutboxLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox file {File} cannot be published and was set aside as .rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published event {EventId} of {Env}/{Service} from the outbox")]
    public static partial void Relayed(ILogger logger, string eventId, string env, string service);
}
