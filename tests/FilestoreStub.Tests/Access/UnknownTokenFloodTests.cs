using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using FilestoreStub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FilestoreStub.Tests.Access;

/// <summary>
/// An unauthenticated flood: 100,000 requests to <c>/access/whoami</c>, each with a bearer token made up for it, against
/// the stub as its own process. Every one is a 401, and the process's resident memory after the flood stays within a
/// bound of where it was after a warm-up (which fills the pools and the verdict cache to their limits).
/// </summary>
public sealed class UnknownTokenFloodTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Flood = 100_000;
    private const int Senders = 16;
    private const long BoundBytes = 64L * 1024 * 1024;

    private readonly RedisServer _redis = new();
    private readonly string _data = Directory.CreateTempSubdirectory("filestore-flood-").FullName;

    public Task InitializeAsync() => _redis.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_flood_of_made_up_bearer_tokens_is_answered_401_and_leaves_resident_memory_within_64_MB_of_the_warmed_up_stub()
    {
        // The runtime's defaults, as the sandbox runs it: .NET 10's server GC sizes its heaps to the application (DATAS)
        // rather than to the cores. Pinning a heap count turns that off: with DOTNET_GCHeapCount=2 the same flood grew 225 MB.
        await using var stub = await StubProcess.StartAsync(_redis, _data);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Senders };
        using var http = new HttpClient(handler) { BaseAddress = stub.Process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var warmUp = await FloodAsync(http, 20_000, "warm-up");
        var before = stub.Process.ResidentBytes();
        var flood = await FloodAsync(http, Flood, "flood");
        var after = stub.Process.ResidentBytes();

        output.WriteLine($"resident: {Megabytes(before)} MB after the warm-up, {Megabytes(after)} MB after {Flood:N0} made-up tokens "
                         + $"(+{Megabytes(after - before)} MB; bound {Megabytes(BoundBytes)} MB)");
        Assert.Equal([HttpStatusCode.Unauthorized], warmUp.Keys.Concat(flood.Keys).Distinct());
        Assert.True(after - before < BoundBytes, $"resident memory grew {Megabytes(after - before)} MB over the flood");
        Assert.Equal(HttpStatusCode.OK, await stub.Process.HealthAsync());
    }

    private static async Task<IReadOnlyDictionary<HttpStatusCode, int>> FloodAsync(HttpClient http, int requests, string label)
    {
        var answers = new ConcurrentDictionary<HttpStatusCode, int>();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && n <= requests)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/access/whoami");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"{label}-{n}-{Guid.NewGuid():N}");
                using var response = await http.SendAsync(request);
                answers.AddOrUpdate(response.StatusCode, 1, (_, c) => c + 1);
            }
        })));
        return answers;
    }

    private static string Megabytes(long bytes) => $"{bytes / 1024.0 / 1024.0:0.0}";
}
