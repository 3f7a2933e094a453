using Xunit;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Sandbox.Testing;

/// <summary>A real <c>redis-server</c> on a free loopback port with its data in a temp folder, shared by a test collection.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"bullmq-tests-{Guid.NewGuid():N}");
    private Process? _process;

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port}";

    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;

    public IDatabase Db => Multiplexer.GetDatabase();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Port = FreePort();
        await StartProcessAsync();
        Multiplexer = await ConnectAsync();
    }

    /// <summary>Stops the server as a crash would (its data is not persisted).</summary>
    public async Task StopAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the server again on the same port.</summary>
    public async Task StartAgainAsync()
    {
        await StartProcessAsync();
        await (await ConnectAsync()).DisposeAsync();
    }

    private Task StartProcessAsync()
    {
        _process?.Dispose();
        _process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory,
             "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start; install the redis-server package.");
        return Task.CompletedTask;
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true,connectTimeout=500");
                await multiplexer.GetDatabase().PingAsync();
                return multiplexer;
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
