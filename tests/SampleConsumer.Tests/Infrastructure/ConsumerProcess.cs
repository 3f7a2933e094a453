using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
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
    private const int PortAttempts = 10;
    private const int OutputLines = 50;

    private readonly Process _process;
    private readonly RedisServer _redis;
    private readonly ConcurrentQueue<string> _output = new();

    private ConsumerProcess(Process process, RedisServer redis, int port, string instance)
    {
        (_process, _redis, Instance) = (process, redis, instance);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };
        // As the operator: the stall fault needs the token; the read API ignores it.
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorToken);
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public const string OperatorToken = "operator-token-for-the-consumer-tests-0123456789";

    public string Instance { get; }

    public HttpClient Http { get; }

    /// <summary>
    /// Starts an instance and returns once it is healthy. A port found free can be taken by another test assembly before
    /// the consumer binds it: then the consumer exits, or the process answering on the port is not this one (its
    /// <c>/metrics</c> carry another instance id). Either way, it starts again on another port.
    /// </summary>
    public static async Task<ConsumerProcess> StartAsync(RedisServer redis, string role, string dataDirectory, int concurrency = 8)
    {
        for (var attempt = 1; ; attempt++)
        {
            var consumer = Launch(redis, role, dataDirectory, concurrency, FreePort());
            if (await consumer.ServesItsPortAsync())
            {
                return consumer;
            }

            var output = consumer.Output;
            await consumer.DisposeAsync();
            if (attempt == PortAttempts)
            {
                throw new InvalidOperationException($"SampleConsumer ({role}) did not start on any of {PortAttempts} free ports; last output:\n{output}");
            }
        }
    }

    private static ConsumerProcess Launch(RedisServer redis, string role, string dataDirectory, int concurrency, int port)
    {
        var instance = $"consumer-{role}-{Guid.NewGuid():N}";
        var start = new ProcessStartInfo("dotnet", [Dll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__redis"] = $"{redis.Configuration},name={instance}";
        start.Environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance}";
        start.Environment["Consumer__Role"] = role;
        start.Environment["Consumer__DataDirectory"] = dataDirectory;
        start.Environment["Consumer__OperatorToken"] = OperatorToken;
        start.Environment["Consumer__Concurrency"] = $"{concurrency}";
        start.Environment["Consumer__LockDuration"] = "00:00:02";
        start.Environment["Consumer__StalledInterval"] = "00:00:01";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("SampleConsumer did not start.");
        return new ConsumerProcess(process, redis, port, instance);
    }

    /// <summary>True once this process answers healthy on its port; false when it exited or another process answers there.</summary>
    private async Task<bool> ServesItsPortAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                var metrics = await Http.GetStringAsync("/metrics");
                if (!metrics.Contains($"service_instance_id=\"{Instance}\"", StringComparison.Ordinal))
                {
                    return false;
                }

                if (await HealthAsync() == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or something else on the port that is not a consumer: ours exits if it cannot bind.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"SampleConsumer {Instance} was not healthy within 60 s; last output:\n{Output}");
    }

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public async Task<HttpStatusCode> HealthAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"SampleConsumer exited with {_process.ExitCode}; last output:\n{Output}");
        }

        try
        {
            using var response = await Http.GetAsync("/health");
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    public async Task<JsonElement> GetAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    /// <summary>
    /// This instance's own count of events it handled with <paramref name="outcome"/> (<c>applied</c>, <c>duplicate</c>,
    /// <c>failed</c>): <c>consumer_events_processed_total</c>, 0 before the first. The exporter caches a scrape for a
    /// moment, so read it in a wait when it must have reached a value.
    /// </summary>
    public async Task<long> ProcessedAsync(string outcome)
    {
        var metrics = await Http.GetStringAsync("/metrics");
        var line = Regex.Match(metrics, $"^consumer_events_processed_total\\{{[^}}]*outcome=\"{outcome}\"[^}}]*\\}} (\\d+)", RegexOptions.Multiline);
        return line.Success ? long.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>
    /// Ends the process the way a crash does: no shutdown, no lock released. Returns once Redis has dropped the
    /// process's connections, so nothing it sent before dying can still run: what Redis holds now is what it left.
    /// </summary>
    public async Task KillAsync()
    {
        await KillProcessAsync();
        var server = _redis.Multiplexer.GetServer(_redis.Configuration);
        await Eventually.Until(() => server.ClientListAsync(), clients => clients.All(c => c.Name != Instance),
            TimeSpan.FromSeconds(20), $"Redis to drop the connections of {Instance}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await KillProcessAsync();
        _process.Dispose();
    }

    private async Task KillProcessAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > OutputLines && _output.TryDequeue(out _))
        {
        }
    }

    // Built by the solution beside this test project: <repo>/SampleConsumer/bin/<configuration>/net10.0.
    internal static string Dll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name;
        var repository = here;
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Sandbox.sln")))
        {
            repository = repository.Parent;
        }

        return Path.Combine(repository?.FullName ?? throw new InvalidOperationException("Sandbox.sln not found above the tests."),
            "SampleConsumer", "bin", configuration, here.Name, "SampleConsumer.dll");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
