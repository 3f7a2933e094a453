using System.CommandLine;
using Runbook;
using RunbookCli;

// The operator CLI: the cutover runbook's procedures, one verified step at a time, against the sandbox or a real
// environment. Exit codes: 0 done, 1 a check failed, 2 bad usage, 3 unreachable, 4 token refused.
var root = new RootCommand("runbook: rehearse and run a Filestore cutover (docs/filestore-cutover.md).");
foreach (var option in CliContext.All)
{
    root.Options.Add(option);
}

foreach (var command in ProcedureCommands.All().Concat(SetupCommands.All()).Concat(DrillCommands.All()))
{
    root.Subcommands.Add(command);
}

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line, like every other failure: System.CommandLine puts the allowed values of an argument on lines of their own.
    var message = string.Join(' ', parsed.Errors[0].Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    Console.Error.WriteLine($"runbook: {message} (see runbook --help)");
    return (int)RunbookExit.BadUsage;
}

// Ctrl+C cancels the run; cleanup (a drill's fault cleared, the probe file removed, traffic stopped) gets time to finish.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
