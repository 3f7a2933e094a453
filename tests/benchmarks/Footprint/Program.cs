// Footprint: the memory of the RUNNING sandbox (start it first: AppHost/start.sh, or tests/benchmarks/cold-start.sh's
// way) as an operator's laptop sees it. Reads the proportional set size (and resident size) of every sandbox process
// after it has sat idle, then again after a minute of drill-like traffic (managed puts at 10 commands/s, as the drill
// traffic sends), and prints both with the whole sandbox's total. It cuts the service (billing in production unless
// told) over to managed first, so run it on a sandbox you do not mind changing.
// Exit code: 0 when the traffic ran without errors, 1 otherwise, 2 for bad usage.
// Usage: dotnet run -c Release --project tests/benchmarks/Footprint -- [--idle 30] [--traffic 60] [--rate 10]
//        [--env production] [--service billing] [--endpoints .sandbox/endpoints.json]
using System.Globalization;
using Benchmarks;

if (LoadOptions.Parse(args, new("idle", 30, 0, 3600, "s"), new("traffic", 60, 1, 3600, "s"), new("rate", 10, 1, 1000, "commands/s")) is not { } options
    || options.Sandbox() is not { } sandbox)
{
    return 2;
}

var (idle, traffic, rate, env, service) = (options["idle"], options["traffic"], options["rate"], options.Env, options.Service);
Console.WriteLine($"Footprint of the sandbox at {sandbox.Url("filestore")} ({Environment.ProcessorCount} cores), {DateTimeOffset.UtcNow:u}: idle for {idle} s, then {traffic} s of {rate} puts/s to {env}/{service}");
await Task.Delay(TimeSpan.FromSeconds(idle));
var atIdle = SandboxProcesses.Read();
if (atIdle.Count == 0)
{
    Console.Error.WriteLine("No sandbox process found (the AppHost and what DCP started); is the sandbox running on this machine?");
    return 2;
}

var load = new ServiceLoad(env, service, "footprint");
if (await options.CutOverAsync(sandbox, load) is not { } token)
{
    return 1;
}

using var commands = new HttpClient { BaseAddress = new Uri(sandbox.Url("filestore")), Timeout = TimeSpan.FromSeconds(30) };
commands.DefaultRequestHeaders.Authorization = new("Bearer", token);
var run = await OpenLoop.DriveAsync(commands, n => load.Put(n, "footprint"), rate, TimeSpan.FromSeconds(traffic));
var afterTraffic = SandboxProcesses.Read();

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"traffic: {run.Sent} sent, {run.Accepted} accepted, {run.Errors} errors"));
Console.WriteLine();
SandboxProcesses.PrintTable(atIdle, afterTraffic, "idle", "traffic");
return run.Errors == 0 ? 0 : 1;
