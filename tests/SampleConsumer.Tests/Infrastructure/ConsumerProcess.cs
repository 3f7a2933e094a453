using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SampleConsumer.Tests.Infrastructure;

/// <summary>
/// SampleConsumer as its own process, as the AppHost starts it, on the test's Redis and data folder; it can be killed
/// with SIGKILL mid-work. Locks are short, so a killed instance's events are taken over within seconds. Each instance
/// has a name of its own (<see cref="Instance"/>): its Redis client name and its OpenTelemetry instance id.
/// </summary>
public sealed class ConsumerProcess : IAsyncDisposable
{
    private readonly ServiceProcess _service;
    private readonly RedisServer _redis;

    private ConsumerProcess(ServiceProcess service, RedisServer redis)
    {
        (_service, _redis) = (service, redis);
        // As the operator: the stall fault needs the token; the read API ignores it.
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorToken);
    }

    public const string OperatorToken = "operator-token-for-the-consumer-tests-0123456789";

    public string Instance => _service.Instance;

    public HttpClient Http => _service.Http;

    /// <summary>Starts an instance and returns once it is healthy.</summary>
    public static async Task<ConsumerProcess> StartAsync(RedisServer redis, string role, string dataDirectory, int concurrency = 8)
    {
        var instance = $"consumer-{role}-{Guid.NewGuid():N}";
        var service = await ServiceProcess.StartAsync("SampleConsumer", new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = $"{redis.Configuration},name={instance}",
            ["Consumer__Role"] = role,
            ["Consumer__DataDirectory"] = dataDirectory,
            ["Consumer__OperatorToken"] = OperatorToken,
            ["Consumer__Concurrency"] = $"{concurrency}",
            ["Consumer__LockDuration"] = "00:00:02",
            ["Consumer__StalledInterval"] = "00:00:01",
        }, instance);
        return new ConsumerProcess(service, redis);
    }

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => _service.Output;

    public Task<HttpStatusCode> HealthAsync() => _service.HealthAsync();

    public async Task<JsonElement> GetAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    /// <summary>
    /// This instance's own count of events it handled with <paramref name="outcome"/> (<c>applied</c>, <c>duplicate</c>,
    /// <c>failed</c>): <c>consumer_events_processed_total</c> summed over its series (one per env and service) that carry
    /// every label of <paramref name="labels"/> (e.g. <c>env="staging"</c>), 0 before the first. The exporter caches a
    /// scrape for a moment, so read it in a wait when it must have reached a value.
    /// </summary>
    public async Task<long> ProcessedAsync(string outcome, params string[] labels)
    {
        var metrics = await Http.GetStringAsync("/metrics");
        return Regex.Matches(metrics, $"^consumer_events_processed_total\\{{(?<labels>[^}}]*outcome=\"{outcome}\"[^}}]*)\\}} (?<value>\\d+)", RegexOptions.Multiline)
            .Where(m => labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Sum(m => long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Ends the process the way a crash does: no shutdown, no lock released. Returns once Redis has dropped the
    /// process's connections, so nothing it sent before dying can still run: what Redis holds now is what it left.
    /// </summary>
    public async Task KillAsync()
    {
        await _service.KillAsync();
        var server = _redis.Multiplexer.GetServer(_redis.Configuration);
        await Eventually.Until(() => server.ClientListAsync(), clients => clients.All(c => c.Name != Instance),
            TimeSpan.FromSeconds(20), $"Redis to drop the connections of {Instance}");
    }

    public ValueTask DisposeAsync() => _service.DisposeAsync();

    internal static string Dll() => ServiceProcess.Dll("SampleConsumer");
}
