using Xunit;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Sandbox.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with its data in a temp folder, shared by a test collection. It
/// runs with the sandbox's own persistence (append-only file), so a restart keeps what was written before it.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private const int PortAttempts = 10;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"bullmq-tests-{Guid.NewGuid():N}");
    private Process? _process;

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port}";

    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;

    public IDatabase Db => Multiplexer.GetDatabase();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        // A port found free can be taken by another test assembly before redis-server binds it: then this server
        // exits, or the one answering is not ours. Either way, try another port.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            StartProcess();
            var multiplexer = await ConnectToOwnProcessAsync();
            if (multiplexer is not null)
            {
                Multiplexer = multiplexer;
                return;
            }

            if (attempt == PortAttempts)
            {
                throw new InvalidOperationException($"redis-server did not start on any of {PortAttempts} free ports.");
            }
        }
    }

    /// <summary>Stops the server as a crash would: SIGKILL, so only what the append-only file already holds survives.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the server cleanly: everything written so far is on disk when it returns.</summary>
    public async Task ShutdownAsync()
    {
        await using (var admin = await ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true"))
        {
            // SHUTDOWN closes the connection instead of answering.
            try
            {
                admin.GetServer(Configuration).Shutdown(ShutdownMode.Always);
            }
            catch (RedisConnectionException)
            {
            }
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process!.WaitForExitAsync(deadline.Token);
    }

    /// <summary>Starts the server again on the same port, from the same data folder.</summary>
    public async Task StartAgainAsync()
    {
        StartProcess();
        await using var check = await ConnectToOwnProcessAsync()
            ?? throw new InvalidOperationException($"redis-server did not start again on port {Port}.");
    }

    private void StartProcess()
    {
        _process?.Dispose();
        _process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory,
             "--save", "", "--appendonly", "yes", "--maxmemory-policy", "noeviction"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start; install the redis-server package.");
        // Nobody reads its log; drain it so a chatty server never blocks on a full pipe.
        _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
    }

    /// <summary>Connects once the started process answers; null when it exited (port taken) or another process answers.</summary>
    private async Task<ConnectionMultiplexer?> ConnectToOwnProcessAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_process!.HasExited)
            {
                return null;
            }

            try
            {
                var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true,connectTimeout=500");
                var info = await multiplexer.GetServer(Configuration).InfoAsync("server");
                var pid = info.SelectMany(group => group).FirstOrDefault(pair => pair.Key == "process_id").Value;
                if (pid == _process.Id.ToString(CultureInfo.InvariantCulture))
                {
                    return multiplexer;
                }

                await multiplexer.DisposeAsync();
                return null;
            }
            catch (RedisConnectionException) when (!deadline.IsCancellationRequested)
            {
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    /// <summary>A queue name no other test uses.</summary>
    public static string UniqueQueue(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(60, purpose.Length + 33)];

    public async Task DisposeAsync()
    {
        if (Multiplexer is not null)
        {
            await Multiplexer.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Temp is cleaned by the OS eventually.
        }
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
