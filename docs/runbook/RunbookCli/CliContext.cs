using System.CommandLine;
using System.Text.Json;
using Runbook;
using Runbook.Steps;
using Runbook.Targets;
using Spectre.Console;

namespace RunbookCli;

/// <summary>
/// The options every command shares (where the target is, how to print) and the one way a command runs: a session
/// on the target, the procedure, then either its result or one line saying what failed, with the exit code for it.
/// </summary>
internal static class CliContext
{
    public static readonly Option<string?> Sandbox = new("--sandbox")
    {
        Description = $"The sandbox's state directory (default: ${RunbookTarget.SandboxVariable}, else .sandbox at the repository root).",
        Recursive = true,
    };

    public static readonly Option<Uri?> Filestore = new("--filestore")
    {
        Description = $"A real environment's Filestore URL instead of the sandbox; the operator token comes from ${RunbookTarget.TokenVariable}.",
        Recursive = true,
    };

    public static readonly Option<Uri?> Metastore = new("--metastore") { Description = "The environment's Metastore URL.", Recursive = true };

    public static readonly Option<Uri?> Timestore = new("--timestore") { Description = "The environment's Timestore URL.", Recursive = true };

    public static readonly Option<Uri?> Prometheus = new("--prometheus") { Description = "The environment's Prometheus URL.", Recursive = true };

    public static readonly Option<string?> Redis = new("--redis") { Description = "The environment's Redis connection string (host:port[,password=...]).", Recursive = true };

    public static readonly Option<string?> Records = new("--records")
    {
        Description = "Where the journal and sign-offs are written (default: <sandbox>/runbook, or ./runbook-records for a real environment).",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON (for scripts) instead of text.", Recursive = true };

    // A measurement can be NaN (a ratio over no traffic); scripts get "NaN" rather than a crash.
    public static readonly JsonSerializerOptions JsonOutput = new(Journal.Json)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static IEnumerable<Option> All => [Sandbox, Filestore, Metastore, Timestore, Prometheus, Redis, Records, Json];

    /// <summary>Bad usage found before anything is looked up: one line, exit 2, whether or not a sandbox runs.</summary>
    public static Task<int> Usage(string message)
    {
        Console.Error.WriteLine($"runbook: {message}");
        return Task.FromResult((int)RunbookExit.BadUsage);
    }

    /// <summary>Human-readable progress goes to stdout, or to stderr when stdout carries the result itself (a token, export lines, JSON).</summary>
    public static IAnsiConsole ConsoleFor(bool resultOnStdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(resultOnStdout ? Console.Error : Console.Out) });
        if (!console.Profile.Capabilities.Interactive)
        {
            // A log file or a pipe has no width: one line per step, however long its evidence, so logs and greps see it whole.
            console.Profile.Width = 4096;
        }

        return console;
    }

    public static RunbookTarget Target(ParseResult parse)
    {
        string? Env(string name) => Environment.GetEnvironmentVariable(name);
        if (parse.GetValue(Filestore) is { } filestore)
        {
            return RunbookTarget.FromAddresses(filestore, parse.GetValue(Metastore), parse.GetValue(Timestore), parse.GetValue(Prometheus),
                parse.GetValue(Redis), parse.GetValue(Records) ?? Path.GetFullPath("runbook-records"), Env);
        }

        var directory = parse.GetValue(Sandbox) ?? Env(RunbookTarget.SandboxVariable) ?? RunbookTarget.DefaultSandboxDirectory(Directory.GetCurrentDirectory());
        var target = RunbookTarget.FromSandbox(Path.GetFullPath(directory), Env);
        return parse.GetValue(Records) is { } records ? target with { RecordsDirectory = Path.GetFullPath(records) } : target;
    }

    /// <summary>
    /// Runs one command: <paramref name="action"/> gets a session and returns what to print (or null). A
    /// <see cref="RunbookException"/> becomes one line on stderr and its exit code.
    /// </summary>
    public static async Task<int> RunAsync(
        ParseResult parse, Func<RunbookSession, IAnsiConsole, CancellationToken, Task<object?>> action, bool resultOnStdout = false, CancellationToken ct = default)
    {
        var json = parse.GetValue(Json);
        var console = ConsoleFor(resultOnStdout || json);
        var observer = new ConsoleObserver(console);
        try
        {
            await using var session = new RunbookSession(Target(parse), observer);
            var result = await action(session, console, ct);
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result ?? observer.Results, JsonOutput));
            }

            return (int)RunbookExit.Ok;
        }
        catch (RunbookException e)
        {
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { error = e.Message, exit = (int)e.Exit, steps = observer.Results }, JsonOutput));
            }

            Console.Error.WriteLine($"runbook: {e.Message}");
            return (int)e.Exit;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("runbook: interrupted; the steps done so far are in the journal.");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"runbook: {e.GetType().Name}: {e.Message}");
            return (int)RunbookExit.Unreachable;
        }
        catch (Exception e)
        {
            // Not a check the runbook knows (an answer of an unexpected shape, a bad connection string): still one line.
            Console.Error.WriteLine($"runbook: unexpected {e.GetType().Name}: {e.Message}");
            return (int)RunbookExit.CheckFailed;
        }
    }
}
