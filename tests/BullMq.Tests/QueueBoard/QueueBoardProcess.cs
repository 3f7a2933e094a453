using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using BullMq.Tests.Infrastructure;

namespace BullMq.Tests.QueueBoard;

/// <summary>
/// The sandbox's queue board (<c>AppHost/QueueBoard/server.js</c>) as the AppHost runs it: <c>node</c> with the
/// environment Aspire gives it, on a free loopback port. A port taken before the board binds it makes the board exit;
/// then it starts again on another.
/// </summary>
public sealed class QueueBoardProcess : IAsyncDisposable
{
    private const int PortAttempts = 10;
    private static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(30);
    private static readonly string Server = Path.Combine(NodePackages.Folder(Path.Combine("AppHost", "QueueBoard"), "@bull-board", "The queue board's packages are not installed"), "server.js");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private QueueBoardProcess(Process process, int port)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Deadlines.Request };
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Http { get; }

    public string Output => string.Join('\n', _output);

    /// <summary>Starts the board and returns once it listens and answers healthy.</summary>
    public static async Task<QueueBoardProcess> StartAsync(
        RedisServer redis, IEnumerable<string> queues, bool? readOnly = null, string? connectionString = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__redis"] = connectionString ?? redis.Configuration,
                ["QUEUE_BOARD_QUEUES"] = string.Join(',', queues),
                ["PORT"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
            };
            if (readOnly is { } value)
            {
                environment["QUEUE_BOARD_READ_ONLY"] = value ? "true" : "false";
            }

            var board = Launch(environment);
            if (await board.ListensAsync())
            {
                await Eventually.Until(async () => (await board.Http.GetAsync("/health")).IsSuccessStatusCode, healthy => healthy,
                    StartWithin, $"the queue board to answer healthy; output:\n{board.Output}");
                return board;
            }

            var output = board.Output;
            await board.DisposeAsync();
            if (attempt == PortAttempts)
            {
                throw new InvalidOperationException($"The queue board did not start on any of {PortAttempts} free ports; last output:\n{output}");
            }
        }
    }

    /// <summary>Runs the board with exactly <paramref name="environment"/> until it exits; for configuration errors.</summary>
    public static async Task<(int ExitCode, string[] Stderr)> RunAsync(IReadOnlyDictionary<string, string> environment)
    {
        var run = await ProgramRun.RunAsync(StartInfo(environment), StartWithin);
        return (run.ExitCode, run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", [Server])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Only what the test gives: nothing of the test runner's environment may configure the board by accident.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("QUEUE_BOARD_", StringComparison.Ordinal) || k is "PORT" or "ConnectionStrings__redis").ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static QueueBoardProcess Launch(Dictionary<string, string> environment)
    {
        var process = Process.Start(StartInfo(environment)) ?? throw new InvalidOperationException("node did not start.");
        return new QueueBoardProcess(process, int.Parse(environment["PORT"], CultureInfo.InvariantCulture));
    }

    private async Task<bool> ListensAsync()
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_listening.Task, exited).WaitAsync(StartWithin);
        return first == _listening.Task;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("queue-board: listening on", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }

        _output.Enqueue(line);
        while (_output.Count > 50)
        {
            _output.TryDequeue(out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
