namespace FilestoreStub.Seeding;

/// <summary>The totals of one seeding run, kept in Redis as the service's seeding record.</summary>
public sealed record SeedReport(
    string Env, string Service, SeedStatus Status, int Files, int Published, int AlreadyPublished, int Skipped,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string CorrelationId);
