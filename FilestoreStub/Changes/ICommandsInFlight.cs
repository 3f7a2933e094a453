namespace FilestoreStub.Changes;

/// <summary>
/// The commands of a service that are running right now. A rollback waits for those that got past the publishing
/// switch before it was turned off: their events may still go to the outbox, which the rollback then exports.
/// </summary>
public interface ICommandsInFlight
{
    /// <summary>Waits until no command of the service runs; false when some still did after <paramref name="within"/>.</summary>
    Task<bool> WaitUntilNoneAsync(string env, string service, TimeSpan within, CancellationToken ct = default);
}
