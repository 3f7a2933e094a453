using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BullMq;
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

        var pending = new List<(string File, FilestoreEvent? Event)>();
        foreach (var file in new DirectoryInfo(_folder).EnumerateFiles("*.json").OrderBy(f => f.LastWriteTimeUtc))
        {
            try
            {
                pending.Add((file.FullName, Read(file.FullName)));
            }
            catch (FileNotFoundException)
            {
                // Published by the relay, or exported by a rollback, while the folder was read: no longer waiting.
            }
        }

        return pending;
    }

    /// <summary>
    /// Moves the waiting events of one service out of the outbox into rollback export files, one per queue, a line per
    /// event as a drain exports a job (state <c>outbox</c>), so a rollback leaves nothing of the service to be published after it.
    /// The files are on disk before the events leave the outbox. Returns how many events were exported.
    /// </summary>
    public async Task<int> ExportAsync(string env, string service, Func<string, string> exportFileOf, CancellationToken ct = default)
    {
        var waiting = Pending().Where(p => p.Event is { } e && e.Env == env && e.Service == service).ToList();
        if (waiting.Count == 0)
        {
            return 0;
        }

        foreach (var queue in EventQueues.All)
        {
            await QueueDrain.AppendExportAsync(exportFileOf(queue), waiting.Select(w => new JsonObject
            {
                ["queue"] = queue,
                ["id"] = w.Event!.EventId,
                ["state"] = "outbox",
                ["name"] = w.Event.Kind,
                ["data"] = JsonSerializer.SerializeToNode(w.Event),
                ["timestamp"] = w.Event.OccurredAt,
                ["attemptsMade"] = 0,
            }), ct);
        }

        foreach (var (file, _) in waiting)
        {
            File.Delete(file);
        }

        return waiting.Count;
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
            try
            {
                await RelayAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A round that fails in an unforeseen way (a Redis connection torn down mid-call surfaces as a
                // TaskCanceledException) is tried again next second; thrown out of here, it would stop the stub's host.
                OutboxLog.RoundFailed(logger, e);
            }
        }
    }

    /// <summary>
    /// Publishes every waiting event it can, in order; stops at the first that cannot go yet because the queues cannot
    /// take it. A service whose publishing is paused keeps its own events, in order, without holding up the others'.
    /// </summary>
    private async Task RelayAsync(CancellationToken ct)
    {
        var paused = new HashSet<(string Env, string Service)>();
        foreach (var (file, @event) in outbox.Pending())
        {
            if (@event is null)
            {
                SetAside(file, "not an event");
                continue;
            }

            if (paused.Contains((@event.Env, @event.Service)))
            {
                continue;
            }

            try
            {
                await publisher.PublishAsync(@event, ct);
                File.Delete(file);
                OutboxLog.Relayed(logger, @event.EventId, @event.Env, @event.Service);
            }
            catch (PublishingPausedException)
            {
                paused.Add((@event.Env, @event.Service));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay round failed; trying again in a second")]
    public static partial void RoundFailed(ILogger logger, Exception error);
}
