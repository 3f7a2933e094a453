using System.Net.Http.Headers;

namespace FilestoreStub.Tests.Infrastructure;

/// <summary>
/// The stub as its own process, as the AppHost starts it, on the test's Redis and data folder: what a SIGKILL really
/// ends (no shutdown, no flush) and what a process's memory really holds. Settings as <see cref="FilestoreApp"/>'s, on
/// the real clock.
/// </summary>
public sealed class StubProcess : IFilestoreHost, IAsyncDisposable
{
    private readonly ServiceProcess _service;

    private StubProcess(ServiceProcess service, string dataDirectory) => (_service, DataDirectory) = (service, dataDirectory);

    public string DataDirectory { get; }

    public ServiceProcess Process => _service;

    /// <summary>Starts a stub on <paramref name="redis"/> with its roots in <paramref name="dataDirectory"/> and returns once it is healthy.</summary>
    public static async Task<StubProcess> StartAsync(RedisServer redis, string dataDirectory)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = redis.Configuration,
            ["Filestore__OperatorToken"] = FilestoreApp.OperatorToken,
            ["Filestore__DataDirectory"] = dataDirectory,
            ["Watchers__ScanInterval"] = "00:00:00.300",
            ["Cutover__MinShadowCommands"] = "3",
            ["Cutover__DrainDeadline"] = "00:00:00",
        };
        return new StubProcess(await ServiceProcess.StartAsync("FilestoreStub", environment), dataDirectory);
    }

    public HttpClient ClientWith(string? token)
    {
        var client = new HttpClient { BaseAddress = _service.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>SIGKILL: what the stub had not written to Redis or disk is gone; its data folder stays.</summary>
    public Task KillAsync() => _service.KillAsync();

    public ValueTask DisposeAsync() => _service.DisposeAsync();
}
