using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FilestoreStub.Tests.Infrastructure;

/// <summary>The stub in-process on a real Redis, with a clock the test moves.</summary>
public sealed class FilestoreApp(RedisServer redis, string? dataDirectory = null) : WebApplicationFactory<Program>, IFilestoreHost
{
    // A second instance can share the first one's roots (a restart); only the owner deletes them.
    private readonly bool _ownsData = dataDirectory is null;
    private readonly string _data = dataDirectory ?? Directory.CreateTempSubdirectory("filestore-data-").FullName;

    public const string OperatorToken = "operator-token-for-the-filestore-tests-0123456789";

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>What this instance logged at warning level and above.</summary>
    public RecordedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:redis", redis.Configuration);
        builder.UseSetting("Filestore:OperatorToken", OperatorToken);
        builder.UseSetting("Filestore:DataDirectory", _data);
        builder.UseSetting("Watchers:ScanInterval", "00:00:00.300");
        // A short shadow period and no waiting for consumers (there are none here) keep cutover tests quick.
        builder.UseSetting("Cutover:MinShadowCommands", "3");
        builder.UseSetting("Cutover:DrainDeadline", "00:00:00");
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
        // Request logs of every test would bury the results; warnings and errors still show.
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(Logs));
    }

    public HttpClient ClientWith(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public HttpClient Operator() => ClientWith(OperatorToken);

    /// <summary>The folder holding every managed root of this instance.</summary>
    public string DataDirectory => _data;

    /// <summary>
    /// Stops this instance as a process exit would: its host, watchers and outbox relay stop, its data folder stays,
    /// so a restart (a new instance on the same Redis and folder) runs alone. Disposing afterwards only cleans up.
    /// </summary>
    public async Task StopAsync() => await base.DisposeAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsData)
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Redis";
}

/// <summary>
/// A test against one in-process stub on the shared Redis, disposed with the test. Tests of the collection run one
/// after another, so each starts from an empty Redis: no mode, policy or token leaks from the test before.
/// </summary>
public abstract class FilestoreTest : IAsyncLifetime
{
    protected FilestoreTest(RedisServer redis)
    {
        Redis = redis;
        redis.Db.Execute("FLUSHDB");
        App = new FilestoreApp(redis);
    }

    protected RedisServer Redis { get; }

    protected FilestoreApp App { get; }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await App.DisposeAsync();
}
