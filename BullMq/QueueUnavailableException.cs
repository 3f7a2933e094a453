namespace BullMq;

/// <summary>Redis could not be reached, so the operation did not happen (a job was not added, a count not read).</summary>
public sealed class QueueUnavailableException(string message, Exception inner) : Exception(message, inner);
