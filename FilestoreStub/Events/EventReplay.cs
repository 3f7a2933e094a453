using System.Text.Json;
using BullMq;
using FilestoreStub.Roots;

namespace FilestoreStub.Events;

/// <summary>
/// Replays a rollback export (the JSON lines <see cref="QueueDrain"/> writes: queue, id, state, name, data, opts,
/// timestamp, attemptsMade, failedReason): each line's event goes back to its own queue only, as the job it was (same
/// id, name and data) with the publisher's usual options. Lines are all checked before anything is added, so a bad
/// file changes nothing; an id still in its queue is not added twice, so replaying a file again is harmless.
/// </summary>
public sealed class EventReplay(EventPublisher publisher, QueueConnection connection, QueueDrain drain, ManagedRoots roots, ILogger<EventReplay> logger)
{
    /// <summary>At most this many bad lines are listed; a file that bad is the wrong file, and the count says so.</summary>
    public const int MaxListedErrors = 100;

    /// <summary>Reads every line; returns the checked lines, and one <c>line N: reason</c> per bad line.</summary>
    public (IReadOnlyList<ReplayLine> Lines, IReadOnlyList<string> Errors) Parse(ReadOnlyMemory<byte> body)
    {
        // An export opened and saved by an editor may have gained a byte order mark; it is not part of the first line.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        var lines = new List<ReplayLine>();
        var errors = new List<string>();
        var number = 0;
        for (var start = 0; start < body.Length;)
        {
            var end = body.Span[start..].IndexOf((byte)'\n');
            var line = end < 0 ? body[start..] : body.Slice(start, end);
            start = end < 0 ? body.Length : start + end + 1;
            number++;
            if (line.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            var (checkedLine, reasons) = Check(number, line);
            if (checkedLine is not null)
            {
                lines.Add(checkedLine);
            }
            else
            {
                errors.Add($"line {number}: {string.Join("; ", reasons)}");
            }
        }

        return (lines, errors);
    }

    /// <summary>The environment/service pairs of <paramref name="lines"/> whose publishing is paused, sorted.</summary>
    public async Task<IReadOnlyList<string>> PausedServicesAsync(IEnumerable<ReplayLine> lines)
    {
        var paused = new List<string>();
        foreach (var (env, service) in lines.Select(l => (l.Event.Env, l.Event.Service)).Distinct())
        {
            if (await publisher.IsPausedAsync(env, service))
            {
                paused.Add($"{env}/{service}");
            }
        }

        return paused.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The queues of <paramref name="lines"/> a rollback is draining right now.</summary>
    public async Task<IReadOnlyList<string>> DrainingQueuesAsync(IEnumerable<ReplayLine> lines)
    {
        var draining = new List<string>();
        foreach (var queue in lines.Select(l => l.Queue).Distinct())
        {
            if (await drain.IsDrainingAsync(queue))
            {
                draining.Add(queue);
            }
        }

        return draining;
    }

    /// <summary>
    /// Adds each line's job to its queue, in file order; a dry run only looks whether each id is still in its queue.
    /// </summary>
    /// <exception cref="ReplayInterruptedException">The queues refused a job part-way (Redis away, a drain, publishing paused meanwhile).</exception>
    public async Task<ReplayReport> RunAsync(IReadOnlyList<ReplayLine> lines, bool dryRun, string by, string correlationId, CancellationToken ct)
    {
        var counts = EventQueues.All.ToDictionary(q => q, _ => new ReplayCounts(0, 0), StringComparer.Ordinal);
        var seen = new HashSet<(string Queue, string Id)>();
        var queues = EventQueues.All.ToDictionary(q => q, q => new QueueOperations(connection, q), StringComparer.Ordinal);
        foreach (var line in lines)
        {
            bool added;
            try
            {
                // A dry run counts a repeated id within the file as present, as the real replay would find it.
                added = dryRun
                    ? seen.Add((line.Queue, line.Event.EventId)) && await queues[line.Queue].GetJobAsync(line.Event.EventId) is null
                    : await publisher.RepublishAsync(line.Queue, line.Name, line.Event, line.DataJson, ct);
            }
            catch (Exception e) when (EventPublisher.IsUnavailable(e))
            {
                var soFar = Report(lines.Count, dryRun, counts);
                ReplayLog.Interrupted(logger, line.Number, soFar.Replayed, soFar.AlreadyPresent, by, e.Message, correlationId);
                throw new ReplayInterruptedException(soFar, line.Number, e);
            }

            var before = counts[line.Queue];
            counts[line.Queue] = added ? before with { Replayed = before.Replayed + 1 } : before with { AlreadyPresent = before.AlreadyPresent + 1 };
        }

        var report = Report(lines.Count, dryRun, counts);
        ReplayLog.Replayed(logger, report.Lines, report.Replayed, report.AlreadyPresent, dryRun, by, correlationId);
        return report;
    }

    private static ReplayReport Report(int lines, bool dryRun, Dictionary<string, ReplayCounts> counts) =>
        new(lines, counts.Values.Sum(c => c.Replayed), counts.Values.Sum(c => c.AlreadyPresent), dryRun,
            counts.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal));

    private (ReplayLine? Line, List<string> Reasons) Check(int number, ReadOnlyMemory<byte> text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            return (null, [$"not valid JSON ({Reason(e)})"]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, ["not a JSON object"]);
            }

            var reasons = new List<string>();
            var queue = Text(root, "queue");
            if (queue is null)
            {
                reasons.Add("queue is missing or not a string");
            }
            else if (!EventQueues.All.Contains(queue))
            {
                reasons.Add($"queue '{queue}' is not an event queue ({string.Join(" or ", EventQueues.All)})");
            }

            var id = Text(root, "id");
            if (id is null)
            {
                reasons.Add("id is missing or not a string");
            }

            var name = Text(root, "name");
            if (name is null)
            {
                reasons.Add("name is missing or not a string");
            }

            var @event = Event(root, reasons);
            if (@event is not null && id is not null && id != @event.EventId)
            {
                reasons.Add($"id '{id}' is not data.eventId '{@event.EventId}'");
            }

            return reasons.Count > 0 || @event is null
                ? (null, reasons)
                : (new ReplayLine(number, queue!, name!, root.GetProperty("data").GetRawText(), @event), reasons);
        }
    }

    // The line's data as an event of a known environment and onboarded service, that a queue can take back.
    private FilestoreEvent? Event(JsonElement root, List<string> reasons)
    {
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            reasons.Add("data is not a Filestore event (a JSON object)");
            return null;
        }

        FilestoreEvent @event;
        try
        {
            @event = data.Deserialize<FilestoreEvent>()!;
        }
        catch (JsonException e)
        {
            reasons.Add($"data is not a Filestore event ({(e.Path is { Length: > 1 } path ? $"at data{path[1..]}: " : string.Empty)}{Reason(e)})");
            return null;
        }

        var before = reasons.Count;
        foreach (var (field, value) in new[] { ("eventId", @event.EventId), ("path", @event.Path), ("kind", @event.Kind), ("source", @event.Source) })
        {
            if (string.IsNullOrEmpty(value))
            {
                reasons.Add($"data.{field} is missing");
            }
        }

        if (!string.IsNullOrEmpty(@event.EventId))
        {
            try
            {
                // The event id becomes the job id: the queue client's own rules say which ids a queue can hold.
                new JobOptions { JobId = @event.EventId }.Validate();
            }
            catch (ArgumentException e)
            {
                reasons.Add($"data.eventId cannot be a job id: {e.Message}");
            }
        }

        if (@event.Env is null)
        {
            reasons.Add("data.env is missing");
        }
        else if (!Environments.IsKnown(@event.Env))
        {
            reasons.Add($"data.env '{@event.Env}' is not an environment ({string.Join(" or ", Environments.All)})");
        }

        if (@event.Service is null)
        {
            reasons.Add("data.service is missing");
        }
        else if (!roots.IsOnboarded(@event.Service))
        {
            reasons.Add($"data.service '{@event.Service}' is not an onboarded service ({string.Join(", ", roots.Services)})");
        }

        if (@event.Sequence <= 0)
        {
            reasons.Add("data.sequence is missing (an event without one cannot be ordered by the consumers)");
        }

        return reasons.Count == before ? @event : null;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    // The parser's message without its position: the line number is given already.
    private static string Reason(JsonException e) => e.Message.Split([" Path:", " LineNumber:"], 2, StringSplitOptions.None)[0].TrimEnd();
}

internal static partial class ReplayLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Event replay by {By}: {Lines} lines, {Replayed} replayed, {AlreadyPresent} already present (dry run: {DryRun}) (CorrelationId {CorrelationId})")]
    public static partial void Replayed(ILogger logger, int lines, long replayed, long alreadyPresent, bool dryRun, string by, string correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event replay by {By} stopped at line {Line} after {Replayed} replayed, {AlreadyPresent} already present: {Reason} (CorrelationId {CorrelationId})")]
    public static partial void Interrupted(ILogger logger, int line, long replayed, long alreadyPresent, string by, string reason, string correlationId);
}
