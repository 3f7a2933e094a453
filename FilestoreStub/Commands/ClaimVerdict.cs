namespace FilestoreStub.Commands;

/// <summary>What a claim on an idempotency key found.</summary>
public enum ClaimVerdict
{
    /// <summary>The key is new: run the command.</summary>
    Claimed,

    /// <summary>The command already ran: answer what it answered.</summary>
    Replay,

    /// <summary>The key was used for a different request.</summary>
    Mismatch,

    /// <summary>The same request is running right now.</summary>
    InProgress,
}
