namespace FilestoreStub.Policies;

/// <summary>Body of a policy apply or check: the rules, and the version the caller read (optimistic concurrency).</summary>
public sealed record PolicyRequest(IReadOnlyList<PolicyRule>? Rules, int? ExpectedVersion);
