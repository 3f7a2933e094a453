// Reconciliation lag benchmark: drives the RUNNING sandbox (start it first: AppHost/start.sh) with put commands at
// steady rates and reports, per rate and consumer, the lag from the change to its application (p50, p99, and the
// bucket holding the slowest event), read from the consumers' consumer_reconciliation_lag_seconds histograms, and
// the highest rate whose p99 stays under 250 ms. "answered/s" is the commands sent divided by the time until the last
// was answered: below the offered rate, the stub did not keep up (and lag, measured from acceptance, hides that wait). It cuts production/billing over to managed first (policy, token,
// seed, watcher, shadow, approval), so run it on a sandbox you do not mind changing.
// Usage: dotnet run -c Release --project tests/benchmarks/ReconciliationLag -- [seconds=20] [rates=100,250,500,750,1000] [endpoints=.sandbox/endpoints.json]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using StackExchange.Redis;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var rates = (args.Length > 1 ? args[1] : "100,250,500,750,1000").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
var endpointsFile = args.Length > 2 ? args[2] : Path.Combine(".sandbox", "endpoints.json");
if (!File.Exists(endpointsFile))
{
    Console.Error.WriteLine($"{endpointsFile} not found: start the sandbox first (AppHost/start.sh), from the repository root.");
    return 2;
}

var resources = JsonDocument.Parse(File.ReadAllText(endpointsFile)).RootElement.GetProperty("resources");
string Url(string resource) => resources.GetProperty(resource).GetProperty("url").GetString()!;
using var operatorClient = new HttpClient { BaseAddress = new Uri(Url("filestore")), Timeout = TimeSpan.FromSeconds(60) };
operatorClient.DefaultRequestHeaders.Authorization = new("Bearer", resources.GetProperty("filestore").GetProperty("operatorToken").GetString());
await using var redis = await ConnectionMultiplexer.ConnectAsync(resources.GetProperty("redis").GetProperty("connectionString").GetString()!);
const string Route = "/envs/production/services/billing";

var token = await CutOverAsync(operatorClient);
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 };
using var service = new HttpClient(handler) { BaseAddress = new Uri(Url("filestore")), Timeout = TimeSpan.FromSeconds(60) };
service.DefaultRequestHeaders.Authorization = new("Bearer", token);
using var metrics = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
string[] consumers = ["metastore", "timestore"];

Console.WriteLine($"Reconciliation lag: {seconds} s per rate, {Environment.ProcessorCount} cores, sandbox at {Url("filestore")}");
var rows = new List<(int Rate, double Achieved, int Errors, string Consumer, Lag Lag)>();
foreach (var rate in rates)
{
    var before = new Dictionary<string, SortedDictionary<double, double>>();
    foreach (var consumer in consumers)
    {
        before[consumer] = await BucketsAsync(metrics, Url(consumer));
    }

    Console.WriteLine($"driving {rate} commands/s...");
    var (sent, errors, took) = await DriveAsync(service, rate, TimeSpan.FromSeconds(seconds));
    await DrainedAsync(redis.GetDatabase());
    foreach (var consumer in consumers)
    {
        var after = await BucketsAsync(metrics, Url(consumer));
        rows.Add((rate, sent / took.TotalSeconds, errors, consumer, Lag.From(before[consumer], after)));
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

static async Task<string> CutOverAsync(HttpClient api)
{
    async Task<JsonElement> Ok(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        }

        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    var policy = await Ok(api.GetAsync("/envs/production/policy"));
    var rules = policy.GetProperty("rules").EnumerateArray().Where(r => r.GetProperty("principal").GetString() != "lag-bench").Select(r => (object)r).ToList();
    rules.Add(JsonDocument.Parse("""{"principal":"lag-bench","service":"billing","commands":["put"],"prefixes":["lag-bench"]}""").RootElement);
    await Ok(api.PutAsJsonAsync("/envs/production/policy", new { rules }));
    var token = (await Ok(api.PostAsJsonAsync("/access/tokens", new { principal = "lag-bench" }))).GetProperty("token").GetString()!;
    var mode = (await Ok(api.GetAsync($"{Route}/cutover"))).GetProperty("mode").GetString();
    if (mode == "managed")
    {
        return token;
    }

    await Ok(api.PutAsJsonAsync($"{Route}/publishing", new { enabled = true }));
    await Ok(api.PutAsJsonAsync($"{Route}/watcher", new { enabled = true }));
    await Ok(api.PostAsync($"{Route}/seed", null));
    if (mode == "manual")
    {
        await Ok(api.PostAsJsonAsync($"{Route}/cutover", new { to = "shadow" }));
    }

    using var client = new HttpClient { BaseAddress = api.BaseAddress };
    client.DefaultRequestHeaders.Authorization = new("Bearer", token);
    for (var i = 0; i < 20; i++)
    {
        using var request = Put(i, "shadow");
        using var response = await client.SendAsync(request);
    }

    // Approvals name a person: the benchmark approves under a named operator token of its own.
    var approverToken = (await Ok(api.PostAsJsonAsync("/access/tokens", new { principal = "benchmark", kind = "operator" }))).GetProperty("token").GetString();
    using (var approver = new HttpClient { BaseAddress = api.BaseAddress })
    {
        approver.DefaultRequestHeaders.Authorization = new("Bearer", approverToken);
        await Ok(approver.PostAsJsonAsync($"{Route}/cutover/approval", new { note = "lag benchmark" }));
    }

    await Ok(api.PostAsJsonAsync($"{Route}/cutover", new { to = "managed" }));
    return token;
}

static HttpRequestMessage Put(long i, string label)
{
    var request = new HttpRequestMessage(HttpMethod.Post, $"{Route}/commands")
    {
        Content = new StringContent($$"""{"command":"put","path":"lag-bench/{{label}}/f{{i % 200}}.txt","text":"version {{i}}"}""", Encoding.UTF8, "application/json"),
    };
    request.Headers.Add("Idempotency-Key", $"lag-{label}-{i}-{Guid.NewGuid():N}");
    return request;
}

// Open loop: a command is due every 1/rate s whether or not earlier ones were answered, as real callers behave.
static async Task<(long Sent, int Errors, TimeSpan Took)> DriveAsync(HttpClient client, int rate, TimeSpan duration)
{
    var errors = 0;
    var inFlight = new List<Task>();
    var clock = Stopwatch.StartNew();
    long sent = 0;
    var label = $"r{rate}";
    while (clock.Elapsed < duration)
    {
        var due = (long)(clock.Elapsed.TotalSeconds * rate);
        for (; sent < due; sent++)
        {
            var n = sent;
            inFlight.Add(Task.Run(async () =>
            {
                using var request = Put(n, label);
                try
                {
                    using var response = await client.SendAsync(request);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
            }));
        }

        await Task.Delay(5);
    }

    await Task.WhenAll(inFlight);
    return (sent, errors, clock.Elapsed);
}

static async Task DrainedAsync(IDatabase redis)
{
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < TimeSpan.FromMinutes(5))
    {
        long pending = 0;
        foreach (var queue in new[] { "metastore-events", "timestore-events" })
        {
            pending += await redis.ListLengthAsync($"bull:{queue}:wait") + await redis.ListLengthAsync($"bull:{queue}:active");
        }

        if (pending == 0)
        {
            await Task.Delay(2000); // one more scrape period, so the consumers' histograms include the last events
            return;
        }

        await Task.Delay(200);
    }
}

static async Task<SortedDictionary<double, double>> BucketsAsync(HttpClient http, string url)
{
    var text = await http.GetStringAsync(new Uri(new Uri(url), "/metrics"));
    var buckets = new SortedDictionary<double, double>();
    foreach (Match m in Regex.Matches(text, @"^consumer_reconciliation_lag_seconds_bucket\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline))
    {
        if (!m.Groups["labels"].Value.Contains("env=\"production\"", StringComparison.Ordinal))
        {
            continue;
        }

        var le = Regex.Match(m.Groups["labels"].Value, "le=\"(?<le>[^\"]+)\"").Groups["le"].Value;
        var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
        buckets[bound] = buckets.GetValueOrDefault(bound) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    return buckets;
}

/// <summary>Quantiles of the events between two scrapes of a cumulative histogram, interpolated within a bucket as Prometheus does.</summary>
internal sealed record Lag(double Count, double P50, double P99, double MaxBound)
{
    public static Lag From(SortedDictionary<double, double> before, SortedDictionary<double, double> after)
    {
        var delta = after.ToDictionary(b => b.Key, b => b.Value - before.GetValueOrDefault(b.Key));
        var bounds = delta.Keys.Order().ToList();
        var total = bounds.Count == 0 ? 0 : delta[bounds[^1]];
        double Quantile(double q)
        {
            var rank = q * total;
            var lower = 0.0;
            var below = 0.0;
            foreach (var bound in bounds)
            {
                if (delta[bound] >= rank)
                {
                    return double.IsInfinity(bound) ? lower : lower + ((bound - lower) * (rank - below) / Math.Max(1, delta[bound] - below));
                }

                (lower, below) = (bound, delta[bound]);
            }

            return double.NaN;
        }

        var max = bounds.FirstOrDefault(b => delta[b] >= total, double.NaN);
        return new Lag(total, Quantile(0.5), Quantile(0.99), max);
    }
}
