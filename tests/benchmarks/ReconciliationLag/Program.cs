// Reconciliation lag benchmark: drives the RUNNING sandbox (start it first: AppHost/start.sh) with put commands at
// steady rates and reports, per rate and consumer, the lag from the change to its application (p50, p99, and the
// bucket holding the slowest event), read from the consumers' consumer_reconciliation_lag_seconds histograms, and
// the highest rate whose p99 stays under 250 ms. "answered/s" is the commands sent divided by the time until the last
// was answered: below the offered rate, the stub did not keep up (and lag, measured from acceptance, hides that wait). It cuts production/billing over to managed first (policy, token,
// seed, watcher, shadow, approval), so run it on a sandbox you do not mind changing.
// Usage: dotnet run -c Release --project tests/benchmarks/ReconciliationLag -- [seconds=20] [rates=100,250,500,750,1000] [endpoints=.sandbox/endpoints.json]
using System.Globalization;
using Benchmarks;
using StackExchange.Redis;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var rates = (args.Length > 1 ? args[1] : "100,250,500,750,1000").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
var endpointsFile = args.Length > 2 ? args[2] : Path.Combine(".sandbox", "endpoints.json");
if (SandboxEndpoints.Load(endpointsFile) is not { } sandbox)
{
    Console.Error.WriteLine($"{endpointsFile} not found: start the sandbox first (AppHost/start.sh), from the repository root.");
    return 2;
}

var load = new ServiceLoad("production", "billing", "lag-bench");
using var operatorClient = new HttpClient { BaseAddress = new Uri(sandbox.Url("filestore")), Timeout = TimeSpan.FromSeconds(60) };
operatorClient.DefaultRequestHeaders.Authorization = new("Bearer", sandbox.OperatorToken);
await using var redis = await ConnectionMultiplexer.ConnectAsync(sandbox.RedisConfiguration);

var token = await load.CutOverAsync(operatorClient);
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 };
using var service = new HttpClient(handler) { BaseAddress = new Uri(sandbox.Url("filestore")), Timeout = TimeSpan.FromSeconds(60) };
service.DefaultRequestHeaders.Authorization = new("Bearer", token);
using var metrics = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

Console.WriteLine($"Reconciliation lag: {seconds} s per rate, {Environment.ProcessorCount} cores, sandbox at {sandbox.Url("filestore")}");
var rows = new List<(int Rate, double Achieved, int Errors, string Consumer, Lag Lag)>();
foreach (var rate in rates)
{
    var before = new Dictionary<string, SortedDictionary<double, double>>();
    foreach (var consumer in ServiceLoad.Consumers)
    {
        before[consumer] = await load.LagBucketsAsync(metrics, sandbox.Url(consumer));
    }

    Console.WriteLine($"driving {rate} commands/s...");
    var run = await OpenLoop.DriveAsync(service, n => load.Put(n, $"r{rate}"), rate, TimeSpan.FromSeconds(seconds));
    await ServiceLoad.DrainedAsync(redis.GetDatabase(), TimeSpan.FromMinutes(5));
    foreach (var consumer in ServiceLoad.Consumers)
    {
        var after = await load.LagBucketsAsync(metrics, sandbox.Url(consumer));
        rows.Add((rate, run.Sent / run.Took.TotalSeconds, run.Errors, consumer, Lag.From(before[consumer], after)));
    }
}

Console.WriteLine();
Console.WriteLine($"{"rate/s",8}{"answered/s",12}{"errors",8}  {"consumer",-10}{"events",8}{"p50 ms",9}{"p99 ms",9}{"max <= ms",11}");
foreach (var (rate, achieved, errors, consumer, lag) in rows)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{rate,8}{achieved,12:0}{errors,8}  {consumer,-10}{lag.Count,8}{lag.P50 * 1000,9:0}{lag.P99 * 1000,9:0}{(double.IsInfinity(lag.MaxBound) ? "inf" : (lag.MaxBound * 1000).ToString("0", CultureInfo.InvariantCulture)),11}"));
}

var passing = rows.GroupBy(r => r.Rate).Where(g => g.All(r => r.Lag.P99 <= 0.25 && r.Errors == 0)).Select(g => g.Key).DefaultIfEmpty(0).Max();
Console.WriteLine($"highest rate with lag p99 <= 250 ms in both consumers: {passing}/s (target 1,000/s)");
return 0;
