namespace FilestoreStub.Policies;

/// <summary>A version of an environment's policy, as applied.</summary>
public sealed record PolicyVersion(int Version, IReadOnlyList<PolicyRule> Rules, DateTimeOffset AppliedAt, string AppliedBy, int? RolledBackFrom = null);
