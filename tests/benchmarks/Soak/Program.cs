// Load and soak: drives the RUNNING sandbox (start it first: AppHost/start.sh) with managed put commands at a steady
// rate for a set time, then waits until both consumers have applied everything and reports: errors, client-side
// latency percentiles, events accepted against events each consumer applied (lost = accepted - applied) and whether
// each consumer's store then matches the files on disk (its consistency check), the
// reconciliation lag of the run, and each sandbox process's memory at the start and the end. It cuts the service
// (billing in production unless told) over to managed first, so run it on a sandbox you do not mind changing.
// Exit code: 0 when nothing failed and nothing was lost, 1 otherwise, 2 for bad usage.
// The memory at the start is taken after a warm-up at the same rate (JIT, pools and caches filled; its commands count
// like the others), so the growth is that of the steady state.
// Usage: dotnet run -c Release --project tests/benchmarks/Soak -- [--rate 500] [--seconds 1800] [--warmup 60]
//        [--env production] [--service billing] [--endpoints .sandbox/endpoints.json]
using System.Globalization;
using Benchmarks;
using StackExchange.Redis;

if (LoadOptions.Parse(args, new("rate", 500, 1, 5000, "commands/s"), new("seconds", 1800, 1, 86_400, "s"), new("warmup", 60, 0, 3600, "s")) is not { } options
    || options.Sandbox() is not { } sandbox)
{
    return 2;
}

var (rate, seconds, warmup, env, service) = (options["rate"], options["seconds"], options["warmup"], options.Env, options.Service);
var load = new ServiceLoad(env, service, "soak");
await using var redis = await ConnectionMultiplexer.ConnectAsync(sandbox.RedisConfiguration);
if (await options.CutOverAsync(sandbox, load) is not { } token)
{
    return 1;
}

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 };
using var commands = new HttpClient(handler) { BaseAddress = new Uri(sandbox.Url("filestore")), Timeout = TimeSpan.FromSeconds(30) };
commands.DefaultRequestHeaders.Authorization = new("Bearer", token);
using var metrics = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

// Whatever an earlier run left in the queues is applied before the counts start.
await ServiceLoad.DrainedAsync(redis.GetDatabase(), TimeSpan.FromMinutes(5));
var lagBefore = new Dictionary<string, SortedDictionary<double, double>>();
var appliedBefore = new Dictionary<string, double>();
foreach (var consumer in ServiceLoad.Consumers)
{
    lagBefore[consumer] = await load.LagBucketsAsync(metrics, sandbox.Url(consumer));
    appliedBefore[consumer] = await ServiceLoad.SumAsync(metrics, sandbox.Url(consumer), "consumer_events_processed_total", "outcome=\"applied\"");
}

Console.WriteLine($"Soak: {rate} commands/s to {env}/{service} for {seconds} s after {warmup} s of warm-up, against {sandbox.Url("filestore")} ({Environment.ProcessorCount} cores), started {DateTimeOffset.UtcNow:u}");
void Progress(OpenLoopResult so, TimeSpan at) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{at.TotalSeconds,6:0} s: {so.Sent} sent, {so.Accepted} accepted, {so.Errors} errors, p99 so far {so.Percentile(0.99) * 1000:0} ms"));
var warm = warmup == 0 ? null : await OpenLoop.DriveAsync(commands, n => load.Put(n, "warmup"), rate, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(10), Progress);
var memoryBefore = SandboxProcesses.Read();
var run = await OpenLoop.DriveAsync(commands, n => load.Put(n, "run"), rate, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(10), Progress);
var drained = await ServiceLoad.DrainedAsync(redis.GetDatabase(), TimeSpan.FromMinutes(5));
var memoryAfter = SandboxProcesses.Read();

Console.WriteLine();
var errorKinds = run.Errors == 0 ? string.Empty : $" ({string.Join(", ", run.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}"))})";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"commands: {run.Sent} sent in {run.Took.TotalSeconds:0} s ({run.Sent / run.Took.TotalSeconds:0}/s), {run.Accepted} accepted, {run.Errors} errors{errorKinds}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"latency (client side): p50 {run.Percentile(0.5) * 1000:0.0} ms, p99 {run.Percentile(0.99) * 1000:0.0} ms, p99.9 {run.Percentile(0.999) * 1000:0.0} ms, max {run.Percentile(1) * 1000:0.0} ms"));
if (warm is not null)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: {warm.Sent} sent, {warm.Accepted} accepted, {warm.Errors} errors"));
}

var accepted = run.Accepted + (warm?.Accepted ?? 0);
var errors = run.Errors + (warm?.Errors ?? 0);
var lost = 0.0;
var inconsistent = false;
foreach (var consumer in ServiceLoad.Consumers)
{
    var applied = await ServiceLoad.SumAsync(metrics, sandbox.Url(consumer), "consumer_events_processed_total", "outcome=\"applied\"") - appliedBefore[consumer];
    var lag = Lag.From(lagBefore[consumer], await load.LagBucketsAsync(metrics, sandbox.Url(consumer)));
    lost += Math.Max(0, accepted - applied);
    // Applied counts every event the consumer took, so other traffic could hide a loss: the store must also match the disk.
    var (consistent, mismatches) = await load.ConsistencyAsync(metrics, sandbox.Url(consumer));
    inconsistent |= !consistent;
    var store = consistent ? "store consistent with the disk" : $"store differs from the disk on {mismatches} files";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{consumer}: {applied:0} applied of {accepted} accepted, warm-up included (lost {Math.Max(0, accepted - applied):0}); {store}; reconciliation lag p50 {lag.P50 * 1000:0} ms, p99 {lag.P99 * 1000:0} ms"));
}

if (!drained)
{
    Console.WriteLine("the queues still held events 5 minutes after the run: the consumers did not catch up");
}

Console.WriteLine();
var (totalBefore, totalAfter) = SandboxProcesses.PrintTable(memoryBefore, memoryAfter, "start", "end");
var growth = totalBefore == 0 ? double.NaN : (totalAfter - totalBefore) * 100.0 / totalBefore;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory growth {growth:0.0} % (target < 10 %)"));

var passed = errors == 0 && lost == 0 && !inconsistent && drained;
Console.WriteLine(passed ? "result: no errors, nothing lost" : "result: FAILED (errors, lost events, a store that differs from the disk, or a backlog above)");
return passed ? 0 : 1;
