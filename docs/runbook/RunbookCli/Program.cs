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
    Console.Error.WriteLine($"runbook: {parsed.Errors[0].Message} (see runbook --help)");
    return (int)RunbookExit.BadUsage;
}

return await parsed.InvokeAsync();
