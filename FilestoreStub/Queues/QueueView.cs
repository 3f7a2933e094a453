namespace FilestoreStub.Queues;

/// <summary>An event queue as an operator checks it: paused or not, its jobs per state, how long the oldest ready job has waited.</summary>
public sealed record QueueView(string Queue, bool Paused, IReadOnlyDictionary<string, long> Counts, double OldestWaitingAgeSeconds);
