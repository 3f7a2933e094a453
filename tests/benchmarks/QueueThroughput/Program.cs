// Queue benchmark: this client against the real BullMQ (Node) on the same Redis, side by side.
// Measures jobs/s added (64 adds in flight), jobs/s processed with concurrency 1 and 16 (no-op handler), and
// end-to-end latency p50/p99 at a steady rate. Usage (from the repository root, after tests/run.sh installed bullmq):
//   dotnet run -c Release --project tests/benchmarks/QueueThroughput -- [jobs=20000] [rate=1000] [seconds=5]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BullMq;

var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;
var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;

var port = FreePort();
var dataDirectory = Directory.CreateTempSubdirectory("queue-bench-").FullName;
using var redis = Process.Start(new ProcessStartInfo("redis-server",
    ["--port", $"{port}", "--bind", "127.0.0.1", "--dir", dataDirectory, "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
await Task.Delay(500);
try
{
    await using var connection = QueueConnection.Create($"127.0.0.1:{port}");
    Console.WriteLine($"Queue benchmark: {jobs} jobs, latency at {rate}/s for {seconds} s, redis-server on port {port}, {Environment.ProcessorCount} cores");

    var csharp = new Figures(
        await AddRateAsync(connection, jobs),
        await ProcessRateAsync(connection, jobs, 1),
        await ProcessRateAsync(connection, jobs, 16),
        await LatencyAsync(connection, rate, seconds));
    var bullmq = await RunBullMqAsync(port, jobs, rate, seconds);

    Console.WriteLine();
    Console.WriteLine($"{"measure",-28}{"this client",14}{"BullMQ 6.7",14}{"ratio",10}");
    Row("added jobs/s", csharp.Add, bullmq.Add, higherIsBetter: true);
    Row("processed jobs/s (c=1)", csharp.Process1, bullmq.Process1, higherIsBetter: true);
    Row("processed jobs/s (c=16)", csharp.Process16, bullmq.Process16, higherIsBetter: true);
    Row("latency p50 ms", csharp.Latency.P50, bullmq.Latency.P50, higherIsBetter: false);
    Row("latency p99 ms", csharp.Latency.P99, bullmq.Latency.P99, higherIsBetter: false);
    Console.WriteLine("ratio: this client / BullMQ for rates, BullMQ / this client for latencies (above 1 means this client is better)");
}
finally
{
    redis.Kill();
    Directory.Delete(dataDirectory, recursive: true);
}

static void Row(string name, double ours, double theirs, bool higherIsBetter)
{
    var ratio = higherIsBetter ? ours / theirs : theirs / Math.Max(ours, 0.001);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28}{ours,14:0.0}{theirs,14:0.0}{ratio,9:0.00}x"));
}

static async Task<double> AddRateAsync(QueueConnection connection, int jobs)
{
    var producer = new QueueProducer(connection);
    var queue = $"bench-cs-add-{Guid.NewGuid():N}";
    var next = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= jobs)
        {
            await producer.AddAsync(queue, "e", new { n = next });
        }
    }));
    return jobs / clock.Elapsed.TotalSeconds;
}

static async Task<double> ProcessRateAsync(QueueConnection connection, int jobs, int concurrency)
{
    var producer = new QueueProducer(connection);
    var queue = $"bench-cs-process{concurrency}-{Guid.NewGuid():N}";
    var next = 0;
    await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= jobs)
        {
            await producer.AddAsync(queue, "e", new { n = next });
        }
    }));

    var done = 0;
    var all = new TaskCompletionSource();
    var clock = Stopwatch.StartNew();
    await using var worker = new QueueWorker(connection, queue, (_, _) =>
    {
        if (Interlocked.Increment(ref done) == jobs)
        {
            all.TrySetResult();
        }

        return Task.FromResult<object?>(null);
    }, new WorkerOptions { Concurrency = concurrency });
    worker.Start();
    await all.Task;
    // The last handler has returned; wait for its job to be marked completed too, as BullMQ's 'completed' event does.
    var operations = new QueueOperations(connection, queue);
    while ((await operations.GetJobCountsAsync())[JobStates.Completed] < jobs)
    {
        await Task.Delay(1);
    }

    return jobs / clock.Elapsed.TotalSeconds;
}

static async Task<(double P50, double P99)> LatencyAsync(QueueConnection connection, int rate, int seconds)
{
    var producer = new QueueProducer(connection);
    var queue = $"bench-cs-latency-{Guid.NewGuid():N}";
    var samples = new List<double>();
    await using var worker = new QueueWorker(connection, queue, (job, _) =>
    {
        var sentAt = job.ParseData().GetProperty("sentAt").GetInt64();
        lock (samples)
        {
            samples.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - sentAt);
        }

        return Task.FromResult<object?>(null);
    }, new WorkerOptions { Concurrency = 16 });
    worker.Start();
    await Task.Delay(500);

    var total = rate * seconds;
    var clock = Stopwatch.StartNew();
    var adds = new List<Task>(total);
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate);
        if (due > clock.Elapsed)
        {
            await Task.Delay(due - clock.Elapsed);
        }

        adds.Add(producer.AddAsync(queue, "e", new { sentAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }));
    }

    await Task.WhenAll(adds);
    var deadline = Stopwatch.StartNew();
    while (Count() < total && deadline.Elapsed < TimeSpan.FromSeconds(30))
    {
        await Task.Delay(20);
    }

    double[] sorted;
    lock (samples)
    {
        sorted = [.. samples.Order()];
    }

    return (Percentile(sorted, 0.5), Percentile(sorted, 0.99));

    int Count()
    {
        lock (samples)
        {
            return samples.Count;
        }
    }
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];

static async Task<Figures> RunBullMqAsync(int port, int jobs, int rate, int seconds)
{
    var repository = new DirectoryInfo(AppContext.BaseDirectory);
    while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Sandbox.sln")))
    {
        repository = repository.Parent;
    }

    var script = Path.Combine(repository?.FullName ?? ".", "tests", "benchmarks", "QueueThroughput", "bullmq-bench.js");
    var start = new ProcessStartInfo("node", [script, $"{port}", $"{jobs}", $"{rate}", $"{seconds}"])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    using var node = Process.Start(start)!;
    var output = await node.StandardOutput.ReadToEndAsync();
    var error = await node.StandardError.ReadToEndAsync();
    await node.WaitForExitAsync();
    if (node.ExitCode != 0)
    {
        throw new InvalidOperationException($"bullmq-bench.js failed: {error}");
    }

    using var json = JsonDocument.Parse(output);
    var root = json.RootElement;
    return new Figures(
        root.GetProperty("add").GetDouble(),
        root.GetProperty("process1").GetDouble(),
        root.GetProperty("process16").GetDouble(),
        (root.GetProperty("latency").GetProperty("p50").GetDouble(), root.GetProperty("latency").GetProperty("p99").GetDouble()));
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

internal sealed record Figures(double Add, double Process1, double Process16, (double P50, double P99) Latency);
