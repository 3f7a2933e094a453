using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace BullMq;

/// <summary>What adding a job to one queue did.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="JobId">The job's id (the existing job's, for a duplicate id).</param>
/// <param name="Created">False when a job with the same custom id already existed, so nothing was added.</param>
public sealed record AddedJob(string Queue, string JobId, bool Created);

/// <summary>
/// Adds jobs to BullMQ queues: one queue, or the same job to several queues in one atomic step (fan-out).
/// Every add is a single Lua script, so a job is either fully added to every queue or to none.
/// </summary>
public sealed class QueueProducer(QueueConnection connection, TimeProvider? time = null)
{
    private static readonly JobOptions DefaultOptions = new();
    private readonly ConcurrentDictionary<string, QueueKeys> _layouts = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Adds a job whose data is serialised from <paramref name="data"/>.</summary>
    public async Task<AddedJob> AddAsync<T>(string queue, string name, T data, JobOptions? options = null, CancellationToken ct = default) =>
        (await AddAsync([queue], name, JsonSerializer.Serialize(data), options, ct))[0];

    /// <summary>Adds a job whose data is the given JSON text.</summary>
    public async Task<AddedJob> AddJsonAsync(string queue, string name, string dataJson, JobOptions? options = null, CancellationToken ct = default) =>
        (await AddJsonToManyAsync([queue], name, dataJson, options, ct))[0];

    /// <summary>Adds the same job (same name, data, options and custom id) to every queue in one atomic step.</summary>
    public Task<IReadOnlyList<AddedJob>> AddToManyAsync<T>(IReadOnlyList<string> queues, string name, T data, JobOptions? options = null, CancellationToken ct = default) =>
        AddAsync(queues, name, JsonSerializer.Serialize(data), options, ct);

    /// <summary>Adds the same JSON job to every queue in one atomic step.</summary>
    /// <exception cref="ArgumentException">A queue name, the name, the data or an option is invalid; nothing was added.</exception>
    /// <exception cref="QueueDrainingException">A queue is being drained; nothing was added to any queue.</exception>
    /// <exception cref="QueueUnavailableException">Redis could not be reached; nothing was added.</exception>
    public Task<IReadOnlyList<AddedJob>> AddJsonToManyAsync(
        IReadOnlyList<string> queues, string name, string dataJson, JobOptions? options = null, CancellationToken ct = default)
    {
        EnsureJson(dataJson);
        return AddAsync(queues, name, dataJson, options, ct);
    }

    // dataJson is valid JSON here: checked by the public JSON entry points, produced by the serializer otherwise.
    private async Task<IReadOnlyList<AddedJob>> AddAsync(
        IReadOnlyList<string> queues, string name, string dataJson, JobOptions? options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (queues.Count == 0)
        {
            throw new ArgumentException("At least one queue is needed.", nameof(queues));
        }

        var layouts = queues.Select(q => _layouts.GetOrAdd(q, static name => new QueueKeys(name))).ToList();
        options ??= DefaultOptions;
        options.Validate();

        using var activity = QueueTelemetry.Source.StartActivity($"publish {string.Join(',', queues)}", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "bullmq");
        activity?.SetTag("bullmq.job.name", name);
        options = options with { TelemetryMetadata = options.TelemetryMetadata ?? QueueTelemetry.CurrentMetadata() };

        var add = ScriptCalls.Add(layouts, _time.GetUtcNow().ToUnixTimeMilliseconds(), name, dataJson, options);
        IReadOnlyList<AddedJob> added;
        try
        {
            var db = await connection.DatabaseAsync();
            added = await add.RunAsync(db).WaitAsync(ct);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("DRAINING ", StringComparison.Ordinal))
        {
            var prefix = e.Message["DRAINING ".Length..];
            throw new QueueDrainingException(layouts.First(k => k.Prefix == prefix).Name);
        }
        catch (Exception e) when (QueueConnection.IsLost(e))
        {
            throw new QueueUnavailableException(
                $"Redis is unreachable; job '{name}' was not added to {string.Join(", ", queues)}: {e.Message}", e);
        }

        activity?.SetTag("messaging.message.id", string.Join(',', added.Select(a => a.JobId)));
        return added;
    }

    private static void EnsureJson(string dataJson)
    {
        ArgumentNullException.ThrowIfNull(dataJson);
        try
        {
            using var _ = JsonDocument.Parse(dataJson);
        }
        catch (JsonException e)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Job data is not valid JSON: {e.Message}"), nameof(dataJson), e);
        }
    }
}
