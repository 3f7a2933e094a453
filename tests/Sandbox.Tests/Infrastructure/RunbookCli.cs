using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Sandbox.Tests.Infrastructure;

/// <summary>What one run of the operator CLI did: its arguments, exit code, both output streams and how long it took.</summary>
public sealed record CliRun(IReadOnlyList<string> Arguments, int ExitCode, string Stdout, string Stderr, TimeSpan Took)
{
    public string CommandLine => "runbook " + string.Join(' ', Arguments.Select(RunbookCli.Quote));

    /// <summary>Both streams, as a terminal would show them (stdout first).</summary>
    public string Output => Stdout + Stderr;

    public IReadOnlyList<string> StderrLines => Lines(Stderr);

    /// <summary>Stdout as JSON (a command run with <c>--json</c>); fails the test, quoting the run, when it is not.</summary>
    public JsonElement Json
    {
        get
        {
            try
            {
                return JsonDocument.Parse(Stdout).RootElement.Clone();
            }
            catch (JsonException e)
            {
                Assert.Fail($"{CommandLine}: stdout is not JSON ({e.Message})\n{Describe()}");
                throw;
            }
        }
    }

    /// <summary>Fails the test unless the run exited <paramref name="exitCode"/>; returns the run for what comes next.</summary>
    public CliRun Expect(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"{CommandLine} exited {ExitCode}, expected {exitCode}\n{Describe()}");
        return this;
    }

    /// <summary>
    /// The CLI's contract for a failure: the exit code, and one line <c>runbook: &lt;message&gt;</c> on stderr and nothing
    /// else there. Returns the message.
    /// </summary>
    public string ExpectFailure(int exitCode)
    {
        Expect(exitCode);
        Assert.True(StderrLines is [var only] && only.StartsWith("runbook: ", StringComparison.Ordinal),
            $"{CommandLine}: stderr must be exactly one line starting with 'runbook: ', it has {StderrLines.Count}\n{Describe()}");
        return StderrLines[0]["runbook: ".Length..];
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"$ {CommandLine}\n  exit {ExitCode} after {Took.TotalSeconds:0.0} s\n");
        foreach (var line in Lines(Stdout))
        {
            text.Append("  | ").Append(line).Append('\n');
        }

        foreach (var line in Lines(Stderr))
        {
            text.Append("  ! ").Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
}

/// <summary>
/// Runs the operator CLI as an operator does: as its own process (<c>dotnet RunbookCli.dll ...</c>, built with the
/// tests through their project reference), from the repository root, with stdin closed and the target given by
/// <c>SANDBOX_DIR</c>. Tokens are per call; none is inherited from the test process, so a developer's own
/// <c>FILESTORE_TOKEN</c> cannot change what a test proves. Every call is logged to the test output and has a deadline,
/// after which its process tree is killed and the test fails saying so.
/// </summary>
public sealed class RunbookCli : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Variables the CLI reads that must come from the test, never from whoever runs the tests.</summary>
    private static readonly string[] NotInherited = ["FILESTORE_TOKEN", "FILESTORE_SERVICE_TOKEN", "SANDBOX_DIR"];

    private readonly ITestOutputHelper? _output;
    private readonly TempDirectory? _owned;

    public RunbookCli(string sandboxDirectory, ITestOutputHelper? output = null)
        : this(sandboxDirectory, output, null)
    {
    }

    private RunbookCli(string sandboxDirectory, ITestOutputHelper? output, TempDirectory? owned) =>
        (SandboxDirectory, _output, _owned) = (sandboxDirectory, output, owned);

    /// <summary>The sandbox's state directory the CLI is pointed at (<c>SANDBOX_DIR</c>).</summary>
    public string SandboxDirectory { get; }

    /// <summary>The configuration the tests were built with; the CLI was built with the same one.</summary>
    public static string Configuration { get; } =
        typeof(RunbookCli).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } configuration
            ? configuration
            // bin/<Configuration>/<framework>/: the test assembly's own folder says it too.
            : new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string CliAssembly { get; } = Repository.PathOf("docs", "runbook", "RunbookCli", "bin", Configuration, "net10.0", "RunbookCli.dll");

    /// <summary>The CLI against the live sandbox of <paramref name="sandbox"/>.</summary>
    public static RunbookCli For(SandboxFixture sandbox, ITestOutputHelper? output = null) => new(sandbox.StateDirectory, output);

    /// <summary>The CLI with no sandbox at all: <c>SANDBOX_DIR</c> is an empty temp folder (no <c>endpoints.json</c>).</summary>
    public static RunbookCli WithoutSandbox(ITestOutputHelper? output = null)
    {
        var folder = new TempDirectory("runbook-cli-none");
        return new RunbookCli(folder.Path, output, folder);
    }

    /// <summary>
    /// The CLI with the address book of a sandbox that is not running: every address is a local port nothing listens
    /// on, so the target loads and any call fails to connect.
    /// </summary>
    public static RunbookCli WithStoppedSandbox(ITestOutputHelper? output = null)
    {
        var folder = new TempDirectory("runbook-cli-stopped");
        var port = ClosedPort();
        var url = $"http://127.0.0.1:{port}";
        var book = new
        {
            runtime = "executables",
            writtenAt = DateTimeOffset.UtcNow,
            resources = new Dictionary<string, object>
            {
                ["filestore"] = new { url, operatorToken = "token-of-a-stopped-sandbox" },
                ["metastore"] = new { url },
                ["timestore"] = new { url },
                ["prometheus"] = new { url },
                ["redis"] = new { url = $"redis://127.0.0.1:{port}", connectionString = $"127.0.0.1:{port}" },
            },
        };
        File.WriteAllText(Path.Combine(folder.Path, "endpoints.json"), JsonSerializer.Serialize(book));
        return new RunbookCli(folder.Path, output, folder);
    }

    /// <summary>A local port that was free a moment ago: bound, read, released.</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Runs <c>runbook &lt;arguments&gt;</c> with the operator's token and the service's, if given.</summary>
    public Task<CliRun> RunAsync(
        string[] arguments, string? token = null, string? serviceToken = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var environment = new Dictionary<string, string>();
        if (token is not null)
        {
            environment["FILESTORE_TOKEN"] = token;
        }

        if (serviceToken is not null)
        {
            environment["FILESTORE_SERVICE_TOKEN"] = serviceToken;
        }

        return RunAsync(arguments, environment, timeout, ct);
    }

    /// <summary>Runs <c>runbook &lt;arguments&gt;</c> with these variables on top of <c>SANDBOX_DIR</c>.</summary>
    public async Task<CliRun> RunAsync(
        string[] arguments, IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        Assert.True(File.Exists(CliAssembly),
            $"The operator CLI is not built at {CliAssembly}: dotnet build tests/Sandbox.Tests -c {Configuration} builds it with the tests.");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Repository.Root,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(CliAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in NotInherited)
        {
            start.Environment.Remove(name);
        }

        start.Environment["SANDBOX_DIR"] = SandboxDirectory;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet did not start for runbook {string.Join(' ', arguments)}.");
        process.StandardInput.Close(); // a command that asks for input gets end-of-file, not a test that hangs
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            using var exited = new CancellationTokenSource(Waits.Request);
            await process.WaitForExitAsync(exited.Token);
            var killed = new CliRun(arguments, process.ExitCode, await stdout, await stderr, clock.Elapsed);
            var why = ct.IsCancellationRequested ? "the test was cancelled" : $"it did not finish within {limit.TotalSeconds:0} s";
            Log($"{killed.Describe()}  KILLED: {why}; its process tree was killed.");
            throw new TimeoutException($"{killed.CommandLine}: {why}, so its process tree was killed.\n{killed.Describe()}");
        }

        var run = new CliRun(arguments, process.ExitCode, await stdout, await stderr, clock.Elapsed);
        Log(run.Describe() + (environment.Count > 0 ? $"  (with {string.Join(", ", environment.Keys.Order())})\n" : string.Empty));
        return run;
    }

    public void Dispose() => _owned?.Dispose();

    internal static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=,@".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void Log(string text)
    {
        try
        {
            _output?.WriteLine(text.TrimEnd());
        }
        catch (InvalidOperationException)
        {
            // A run that outlives its test (a background call) has nowhere to write; its result still carries the output.
        }
    }
}
