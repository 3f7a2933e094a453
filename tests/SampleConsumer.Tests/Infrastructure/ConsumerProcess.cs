using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace SampleConsumer.Tests.Infrastructure;

/// <summary>
/// SampleConsumer as its own process, as the AppHost starts it, on the test's Redis and data folder; it can be killed
/// with SIGKILL mid-work. Locks are short, so a killed instance's events are taken over within seconds.
/// </summary>
public sealed class ConsumerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ConsumerProcess(Process process, int port)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };
    }

    public HttpClient Http { get; }

    public static async Task<ConsumerProcess> StartAsync(RedisServer redis, string role, string dataDirectory, int concurrency = 8)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Dll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__redis"] = redis.Configuration;
        start.Environment["Consumer__Role"] = role;
        start.Environment["Consumer__DataDirectory"] = dataDirectory;
        start.Environment["Consumer__Concurrency"] = $"{concurrency}";
        start.Environment["Consumer__LockDuration"] = "00:00:02";
        start.Environment["Consumer__StalledInterval"] = "00:00:01";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("SampleConsumer did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var consumer = new ConsumerProcess(process, port);
        await Eventually.Until(consumer.HealthAsync, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(60), $"{role} healthy");
        return consumer;
    }

    public async Task<HttpStatusCode> HealthAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"SampleConsumer exited with {_process.ExitCode}.");
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

    /// <summary>Ends the process the way a crash does: no shutdown, no lock released.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    // Built by the solution beside this test project: <repo>/SampleConsumer/bin/<configuration>/net10.0.
    private static string Dll()
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
