// Command benchmark: the FilestoreStub as its own process (Release build) on a real redis-server (append-only, as in
// the sandbox), driven over HTTP by concurrent clients. Measures commands/s and client-side p50/p99 latency of put
// commands in shadow mode, then in managed mode (written to disk and published to both queues), each at full load
// (many clients: the throughput) and at light load (4 clients: the latency a caller sees when the stub is not
// saturated). GET /alive at full load is the baseline: what HTTP alone costs on the same machine.
// Usage (from the repository root, after tests/run.sh installed redis-server):
//   dotnet run -c Release --project tests/benchmarks/CommandThroughput -- [seconds=10] [concurrency=32] [overwrite|create]
// overwrite (default): each client rewrites 50 files over and over (a rename over an existing file makes ext4 flush
// the new data first); create: every put is a new file.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
var filesPerClient = args.Length > 2 && args[2] == "create" ? int.MaxValue : 50;
const string OperatorToken = "benchmark-operator-token-0123456789abcdef";

var repository = FindRepository();
var work = Directory.CreateTempSubdirectory("command-bench-").FullName;
var (redisPort, stubPort) = (FreePort(), FreePort());
Run("dotnet", ["build", "-c", "Release", "-v", "q", "-nologo", Path.Combine(repository, "FilestoreStub", "FilestoreStub.csproj")]);

using var redis = Process.Start(new ProcessStartInfo("redis-server",
    ["--port", $"{redisPort}", "--bind", "127.0.0.1", "--dir", work, "--save", "", "--appendonly", "yes", "--maxmemory-policy", "noeviction"])
    { RedirectStandardOutput = true })!;
var stubInfo = new ProcessStartInfo("dotnet", [Path.Combine(repository, "FilestoreStub", "bin", "Release", "net10.0", "FilestoreStub.dll")])
{
    RedirectStandardOutput = true,
    WorkingDirectory = Path.Combine(repository, "FilestoreStub"),
};
stubInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{stubPort}";
stubInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
stubInfo.Environment["ConnectionStrings__redis"] = $"127.0.0.1:{redisPort}";
stubInfo.Environment["Filestore__OperatorToken"] = OperatorToken;
stubInfo.Environment["Filestore__DataDirectory"] = Path.Combine(work, "filestore");
stubInfo.Environment["Logging__LogLevel__Default"] = "Warning";
stubInfo.Environment["Cutover__MinShadowCommands"] = "1";
using var stub = Process.Start(stubInfo)!;
stub.OutputDataReceived += (_, _) => { };
stub.BeginOutputReadLine();

try
{
    using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
    using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{stubPort}"), Timeout = TimeSpan.FromSeconds(30) };
    await WaitHealthyAsync(http);
    http.DefaultRequestHeaders.Authorization = new("Bearer", OperatorToken);
    const string Route = "/envs/staging/services/billing";
    var policy = """{"rules":[{"principal":"bench","service":"billing","commands":["put"],"prefixes":["*"]}]}""";
    await Ok(http.PutAsync("/envs/staging/policy", new StringContent(policy, Encoding.UTF8, "application/json")));
    var token = (await (await Ok(http.PostAsJsonAsync("/access/tokens", new { principal = "bench" }))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    await Ok(http.PostAsync($"{Route}/seed", null));
    await Ok(http.PutAsJsonAsync($"{Route}/watcher", new { enabled = true }));
    await Ok(http.PostAsJsonAsync($"{Route}/cutover", new { to = "shadow" }));

    Console.WriteLine($"Command benchmark: {seconds} s per run, {concurrency} concurrent clients, {Environment.ProcessorCount} cores, "
                      + $"{(filesPerClient == int.MaxValue ? "every put a new file" : $"{filesPerClient} files per client rewritten")}, "
                      + $"stub (pid {stub.Id}), redis-server and clients on this machine");
    const int Light = 4;
    var baseline = await MeasureAsync(http, token, Route, filesPerClient, "baseline", seconds, concurrency);
    var shadow = await MeasureAsync(http, token, Route, filesPerClient, "shadow", seconds, concurrency);
    var shadowLight = await MeasureAsync(http, token, Route, filesPerClient, "shadow-light", seconds, Light);

    // Approvals name a person: the benchmark approves under a named operator token of its own.
    var issued = await (await Ok(http.PostAsJsonAsync("/access/tokens", new { principal = "benchmark", kind = "operator" }))).Content.ReadFromJsonAsync<JsonElement>();
    using (var approver = new HttpClient { BaseAddress = http.BaseAddress })
    {
        approver.DefaultRequestHeaders.Authorization = new("Bearer", issued.GetProperty("token").GetString());
        await Ok(approver.PostAsJsonAsync($"{Route}/cutover/approval", new { note = "benchmark" }));
    }

    await Ok(http.PostAsJsonAsync($"{Route}/cutover", new { to = "managed" }));
    var managed = await MeasureAsync(http, token, Route, filesPerClient, "managed", seconds, concurrency);
    var managedLight = await MeasureAsync(http, token, Route, filesPerClient, "managed-light", seconds, Light);

    Console.WriteLine();
    Console.WriteLine($"{"run",-24}{"commands/s",12}{"p50 ms",10}{"p99 ms",10}{"errors",8}   target");
    Print($"baseline, {concurrency} clients", baseline, "(GET /alive: the HTTP ceiling here)");
    Print($"shadow, {concurrency} clients", shadow, ">= 5,000/s");
    Print($"shadow, {Light} clients", shadowLight, "p99 < 10 ms");
    Print($"managed, {concurrency} clients", managed, ">= 2,000/s");
    Print($"managed, {Light} clients", managedLight, "p99 < 10 ms");
}
finally
{
    stub.Kill();
    redis.Kill();
    await stub.WaitForExitAsync();
    await redis.WaitForExitAsync();
    Directory.Delete(work, recursive: true);
}

static void Print(string run, Result r, string target) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run,-24}{r.PerSecond,12:0}{r.P50,10:0.00}{r.P99,10:0.00}{r.Errors,8}   {target}"));

// A warm-up of two seconds (JIT, connection pool), then the measured window; each client puts small files over and
// over into its own folder, so managed mode writes, hashes and publishes for real.
static async Task<Result> MeasureAsync(HttpClient http, string token, string route, int files, string mode, int seconds, int concurrency)
{
    await RunClientsAsync(http, token, route, files, mode + "-warmup", TimeSpan.FromSeconds(2), concurrency);
    Console.WriteLine($"measuring {mode}...");
    var (latencies, errors, elapsed) = await RunClientsAsync(http, token, route, files, mode, TimeSpan.FromSeconds(seconds), concurrency);
    latencies.Sort();
    return new Result(latencies.Count / elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), errors);
}

static async Task<(List<double> Latencies, int Errors, TimeSpan Elapsed)> RunClientsAsync(
    HttpClient http, string token, string route, int files, string label, TimeSpan duration, int concurrency)
{
    var all = new List<double>();
    var errors = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async client =>
    {
        var mine = new List<double>();
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            // The baseline is the cheapest authenticated-free request: what HTTP alone costs on this machine.
            using var request = label.StartsWith("baseline", StringComparison.Ordinal)
                ? new HttpRequestMessage(HttpMethod.Get, "/alive")
                : new HttpRequestMessage(HttpMethod.Post, $"{route}/commands")
                {
                    Content = new StringContent($$"""{"command":"put","path":"bench/{{label}}/c{{client}}/f{{i % files}}.txt","text":"content {{i}}"}""", Encoding.UTF8, "application/json"),
                };
            request.Headers.Authorization = new("Bearer", token);
            request.Headers.Add("Idempotency-Key", $"{label}-{client}-{i}");
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var took = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                mine.Add(took);
            }
            else
            {
                Interlocked.Increment(ref errors);
            }
        }

        lock (all)
        {
            all.AddRange(mine);
        }
    }));
    return (all, errors, clock.Elapsed);
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

static async Task<HttpResponseMessage> Ok(Task<HttpResponseMessage> call)
{
    var response = await call;
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    return response;
}

static async Task WaitHealthyAsync(HttpClient http)
{
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < TimeSpan.FromSeconds(60))
    {
        try
        {
            if ((await http.GetAsync("/health")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }

        await Task.Delay(200);
    }

    throw new TimeoutException("The stub did not become healthy within 60 s.");
}

static void Run(string file, string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments))!;
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    }
}

static string FindRepository()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Sandbox.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository: Sandbox.sln was not found above " + AppContext.BaseDirectory);
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

internal sealed record Result(double PerSecond, double P50, double P99, int Errors);
