using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Sandbox.Testing;

/// <summary>
/// One of the sandbox's ASP.NET services as its own process, as the AppHost starts it: the built assembly of its
/// project, on a free loopback port, configured through environment variables. It can be killed with SIGKILL mid-work,
/// and its resident memory read. Each instance has a name of its own (<see cref="Instance"/>): its OpenTelemetry
/// instance id, which tells it apart on its port from any other process.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int PortAttempts = 10;
    private const int OutputLines = 50;
    private static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, string project, int port, string instance)
    {
        (_process, Project, Instance) = (process, project, instance);
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = Deadlines.Request };
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Project { get; }

    public string Instance { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client of the service (a wrapper may give it credentials, as the consumers' does the operator token).</summary>
    public HttpClient Http { get; }

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts <paramref name="project"/> (its assembly as the solution built it) and returns once it answers healthy.
    /// A port found free can be taken by another test assembly before the service binds it: then the service exits, or
    /// the process answering on the port is not this one (its <c>/metrics</c> carry another instance id). Either way, it
    /// starts again on another port.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string> environment, string? instance = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var service = Launch(project, environment, instance ?? $"{project.ToLowerInvariant()}-{Guid.NewGuid():N}", RedisServer.FreePort());
            try
            {
                if (await service.ServesItsPortAsync())
                {
                    return service;
                }
            }
            catch (TimeoutException)
            {
                await service.DisposeAsync();
                throw;
            }

            var output = service.Output;
            await service.DisposeAsync();
            if (attempt == PortAttempts)
            {
                throw new InvalidOperationException($"{project} did not start on any of {PortAttempts} free ports; last output:\n{output}");
            }
        }
    }

    private static ServiceProcess Launch(string project, IReadOnlyDictionary<string, string> environment, string instance, int port)
    {
        var start = new ProcessStartInfo("dotnet", [Dll(project)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{project} did not start.");
        return new ServiceProcess(process, project, port, instance);
    }

    /// <summary>True once this process answers healthy on its port; false when it exited or another process answers there.</summary>
    private async Task<bool> ServesItsPortAsync()
    {
        var deadline = DateTime.UtcNow + StartWithin;
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
                // Not listening yet, or something else on the port that is not ours: ours exits if it cannot bind.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Project} {Instance} was not healthy within {StartWithin.TotalSeconds:0} s; last output:\n{Output}");
    }

    /// <summary>The status of <c>GET /health</c>; 0 when nothing answers. A process that exited is an error.</summary>
    public async Task<HttpStatusCode> HealthAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{Project} exited with {_process.ExitCode}; last output:\n{Output}");
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

    /// <summary>Resident memory now (VmRSS of /proc), in bytes: what <c>ps</c> and <c>top</c> show.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Ends the process the way a crash does: SIGKILL, no shutdown, nothing flushed or released.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>The assembly the solution built for <paramref name="project"/>: &lt;repo&gt;/&lt;project&gt;/bin/&lt;configuration&gt;/net10.0.</summary>
    public static string Dll(string project)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name;
        var repository = here;
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Sandbox.sln")))
        {
            repository = repository.Parent;
        }

        return Path.Combine(repository?.FullName ?? throw new InvalidOperationException("Sandbox.sln not found above the tests."),
            project, "bin", configuration, here.Name, $"{project}.dll");
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
}
