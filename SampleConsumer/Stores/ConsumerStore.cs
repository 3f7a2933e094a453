using SampleConsumer.Events;

namespace SampleConsumer.Stores;

/// <summary>What applying an event did.</summary>
public enum ApplyOutcome
{
    /// <summary>The event was new and is now part of the store (a superseded change is still recorded as seen).</summary>
    Applied,

    /// <summary>The event was applied before (a redelivery); nothing changed.</summary>
    Duplicate,
}

/// <summary>A file as a store believes it is now.</summary>
public sealed record FileView(string Path, long? Size, string? Sha256);

/// <summary>Counts for one service in one environment.</summary>
public sealed record ServiceTotals(string Env, string Service, long Events, long Files, long Bytes, long Versions);

/// <summary>
/// The store of one role. Applying is one Lua script per event: it records the event id and changes the store in the
/// same atomic step, so a redelivered event (after a crash, a stall recovery, a second instance) changes nothing.
/// Changes of a path are ordered by the event's sequence, so an older event never overwrites a newer state.
/// </summary>
public interface IConsumerStore
{
    /// <summary>Applies <paramref name="change"/>; <paramref name="traceId"/> (the trace it was applied in) is kept with it.</summary>
    Task<ApplyOutcome> ApplyAsync(ChangeEvent change, string? traceId);

    /// <summary>The files the store holds as present, for the consistency check.</summary>
    Task<IReadOnlyList<FileView>> FilesAsync(string env, string service);

    /// <summary>What the store knows of one path (metadata for Metastore, history for Timestore), or null.</summary>
    Task<object?> PathAsync(string env, string service, string path);

    Task<ServiceTotals> TotalsAsync(string env, string service);
}
