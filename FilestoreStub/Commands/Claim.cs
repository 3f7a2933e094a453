namespace FilestoreStub.Commands;

/// <summary>What a claim on an idempotency key found, and for a replay the kept status and answer.</summary>
public sealed record Claim(ClaimVerdict Verdict, int Status = 0, string? Response = null);
