using FilestoreStub.Events;
using FilestoreStub.Paths;
using FilestoreStub.Roots;
using StackExchange.Redis;

namespace FilestoreStub.Seeding;

/// <summary>
/// Scans a managed root and publishes one <c>seeded</c> event per file, so the consumers start with complete
/// metadata. Idempotent: the event id derives from the path and the content hash, so seeding again publishes only
/// files that are new or changed. Links are never followed and the reserved <c>.filestore</c> name is skipped.
/// </summary>
public sealed class Seeder(
    ManagedRoots roots, EventPublisher publisher, EventSequence sequence, IConnectionMultiplexer redis, TimeProvider time, ILogger<Seeder> logger)
{
    public static RedisKey RecordKey(string env, string service) => $"filestore:seed:{env}:{service}";

    public async Task<SeedReport> SeedAsync(string env, string service, string correlationId, CancellationToken ct = default)
    {
        var root = roots.RootOf(env, service);
        var started = time.GetUtcNow();
        var report = new SeedReport(env, service, SeedStatus.Running, 0, 0, 0, 0, started, null, correlationId);
        await SaveAsync(report);

        var (files, published, already, skipped) = (0, 0, 0, 0);
        try
        {
            foreach (var (relative, file) in ManagedTree.Files(root))
            {
                ct.ThrowIfCancellationRequested();
                files++;
                FileInfo info;
                string hash;
                // Taken before the file is read: a command that changes it afterwards gets a higher number and wins.
                var order = sequence.Next();
                try
                {
                    // The same rules as commands: a name a command could not create is reported, not published.
                    roots.Resolve(env, service, relative);
                    info = new FileInfo(file);
                    hash = ManagedTree.Sha256(file);
                }
                catch (Exception e) when (e is PathRejectedException or IOException or UnauthorizedAccessException)
                {
                    skipped++;
                    SeedLog.Skipped(logger, env, service, relative, e.Message);
                    continue;
                }

                var @event = new FilestoreEvent(
                    FilestoreEvent.DerivedId("seed", env, service, relative, hash), env, service, relative, EventKinds.Seeded, EventSources.Seed,
                    time.GetUtcNow().ToUnixTimeMilliseconds(), correlationId, order, Size: info.Length, Sha256: hash);
                if (await publisher.PublishAsync(@event, ct))
                {
                    published++;
                }
                else
                {
                    already++;
                }

                if (files % 500 == 0)
                {
                    await SaveAsync(report with { Files = files, Published = published, AlreadyPublished = already, Skipped = skipped });
                }
            }
        }
        catch
        {
            // Stopped part-way (publishing paused, a queue draining, the caller gone): the record must not go on saying
            // "running", since the seeded gate and an operator read it.
            try
            {
                await SaveAsync(Finished(SeedStatus.Failed));
            }
            catch (RedisException)
            {
                // Redis is away too: the record cannot be corrected now, and the error that stopped the seeding is the one to report.
            }

            throw;
        }

        report = Finished(SeedStatus.Completed);
        await SaveAsync(report);
        SeedLog.Completed(logger, env, service, files, published, already, skipped, correlationId);
        return report;

        SeedReport Finished(SeedStatus status) => report with
        {
            Status = status, Files = files, Published = published, AlreadyPublished = already, Skipped = skipped, FinishedAt = time.GetUtcNow(),
        };
    }

    /// <summary>The last seeding run of the service, or null when it was never seeded.</summary>
    public async Task<SeedReport?> LastAsync(string env, string service)
    {
        var json = await redis.GetDatabase().StringGetAsync(RecordKey(env, service));
        return json.IsNull ? null : System.Text.Json.JsonSerializer.Deserialize<SeedReport>(json.ToString());
    }

    private Task<bool> SaveAsync(SeedReport report) =>
        redis.GetDatabase().StringSetAsync(RecordKey(report.Env, report.Service), System.Text.Json.JsonSerializer.Serialize(report));
}

internal static partial class SeedLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Seeding {Env}/{Service}: skipped {Path}: {Reason}")]
    public static partial void Skipped(ILogger logger, string env, string service, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Env}/{Service}: {Files} files, {Published} published, {AlreadyPublished} already published, {Skipped} skipped (CorrelationId {CorrelationId})")]
    public static partial void Completed(ILogger logger, string env, string service, int files, int published, int alreadyPublished, int skipped, string correlationId);
}
