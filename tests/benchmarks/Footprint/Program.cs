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

var idle = 30;
var traffic = 60;
var rate = 10;
var (env, service) = ("production", "billing");
var endpointsFile = Path.Combine(".sandbox", "endpoints.json");
for (var i = 0; i < args.Length; i += 2)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    var parsed = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number);
    switch (args[i])
    {
        case "--idle" when parsed && number is >= 0 and <= 3600: idle = number; break;
        case "--traffic" when parsed && number is >= 1 and <= 3600: traffic = number; break;
        case "--rate" when parsed && number is >= 1 and <= 1000: rate = number; break;
        case "--endpoints" when value is not null: endpointsFile = value; break;
        case "--env" when value is "staging" or "production": env = value; break;
        case "--service" when value is { Length: > 0 }: service = value; break;
        default:
            Console.Error.WriteLine($"Bad argument '{args[i]} {value}': use --idle 0..3600 (s), --traffic 1..3600 (s), --rate 1..1000 (commands/s), --env staging|production, --service <name>, --endpoints <file>.");
            return 2;
    }
}

if (SandboxEndpoints.Load(endpointsFile) is not { } sandbox)
{
    Console.Error.WriteLine($"{endpointsFile} not found: start the sandbox first (AppHost/start.sh), from the repository root.");
    return 2;
}

Console.WriteLine($"Footprint of the sandbox at {sandbox.Url("filestore")} ({Environment.ProcessorCount} cores), {DateTimeOffset.UtcNow:u}: idle for {idle} s, then {traffic} s of {rate} puts/s to {env}/{service}");
await Task.Delay(TimeSpan.FromSeconds(idle));
var atIdle = SandboxProcesses.Read();
if (atIdle.Count == 0)
{
    Console.Error.WriteLine("No sandbox process found (the AppHost and what DCP started); is the sandbox running on this machine?");
    return 2;
}

var load = new ServiceLoad(env, service, "footprint");
using var operatorClient = new HttpClient { BaseAddress = new Uri(sandbox.Url("filestore")), Timeout = TimeSpan.FromSeconds(60) };
operatorClient.DefaultRequestHeaders.Authorization = new("Bearer", sandbox.OperatorToken);
string token;
try
{
    token = await load.CutOverAsync(operatorClient);
}
catch (Exception e) when (e is InvalidOperationException or HttpRequestException)
{
    Console.Error.WriteLine($"Could not cut {env}/{service} over to managed: {e.Message}");
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
