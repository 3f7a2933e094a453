using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Benchmarks;

/// <summary>The running sandbox as its endpoints.json describes it.</summary>
internal sealed class SandboxEndpoints(JsonElement resources)
{
    public static SandboxEndpoints? Load(string file) =>
        File.Exists(file) ? new SandboxEndpoints(JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("resources").Clone()) : null;

    public string Url(string resource) => resources.GetProperty(resource).GetProperty("url").GetString()!;

    public string OperatorToken => resources.GetProperty("filestore").GetProperty("operatorToken").GetString()!;

    public string RedisConfiguration => resources.GetProperty("redis").GetProperty("connectionString").GetString()!;
}

/// <summary>
/// Put commands of one principal against one service of one environment, cut over to managed first: what the load
/// benchmarks drive. The principal's paths all start with its name.
/// </summary>
internal sealed partial class ServiceLoad(string env, string service, string principal)
{
    public static readonly string[] Consumers = ["metastore", "timestore"];
    public static readonly string[] Queues = ["metastore-events", "timestore-events"];

    public string Env => env;

    public string Service => service;

    private string Route => $"/envs/{env}/services/{service}";

    /// <summary>
    /// Cuts the service over to managed (policy rule, token, publishing, watcher, seed, shadow, approval) for the
    /// principal; returns the principal's token.
    /// </summary>
    public async Task<string> CutOverAsync(HttpClient api)
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

        var policy = await Ok(api.GetAsync($"/envs/{env}/policy"));
        var rules = policy.GetProperty("rules").EnumerateArray().Where(r => r.GetProperty("principal").GetString() != principal).Select(r => (object)r).ToList();
        rules.Add(JsonDocument.Parse($$"""{"principal":"{{principal}}","service":"{{service}}","commands":["put"],"prefixes":["{{principal}}"]}""").RootElement);
        await Ok(api.PutAsJsonAsync($"/envs/{env}/policy", new { rules }));
        var token = (await Ok(api.PostAsJsonAsync("/access/tokens", new { principal }))).GetProperty("token").GetString()!;
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
            await Ok(approver.PostAsJsonAsync($"{Route}/cutover/approval", new { note = $"{principal} benchmark" }));
        }

        await Ok(api.PostAsJsonAsync($"{Route}/cutover", new { to = "managed" }));
        return token;
    }

    /// <summary>A put of a few bytes to one of 200 files under the principal's prefix, with a fresh idempotency key.</summary>
    public HttpRequestMessage Put(long i, string label)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Route}/commands")
        {
            Content = new StringContent($$"""{"command":"put","path":"{{principal}}/{{label}}/f{{i % 200}}.txt","text":"version {{i}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", $"{principal}-{label}-{i}-{Guid.NewGuid():N}");
        return request;
    }

    /// <summary>Whether a consumer's store matches the service's files on disk (its consistency check), and how many differ.</summary>
    public async Task<(bool Consistent, int Mismatches)> ConsistencyAsync(HttpClient http, string consumerUrl)
    {
        var report = await http.GetFromJsonAsync<JsonElement>(new Uri(new Uri(consumerUrl), $"/envs/{env}/services/{service}/consistency"));
        return (report.GetProperty("consistent").GetBoolean(), report.GetProperty("mismatches").GetArrayLength());
    }

    /// <summary>Waits until both event queues hold nothing waiting, active, delayed or prioritized, then one more scrape period.</summary>
    public static async Task<bool> DrainedAsync(IDatabase redis, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            long pending = 0;
            foreach (var queue in Queues)
            {
                pending += await redis.ListLengthAsync($"bull:{queue}:wait") + await redis.ListLengthAsync($"bull:{queue}:active")
                           + await redis.SortedSetLengthAsync($"bull:{queue}:delayed") + await redis.SortedSetLengthAsync($"bull:{queue}:prioritized");
            }

            if (pending == 0)
            {
                await Task.Delay(2000); // the consumers' metrics include the last events after this
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    /// <summary>The buckets of a consumer's reconciliation lag histogram for this environment, cumulative.</summary>
    public async Task<SortedDictionary<double, double>> LagBucketsAsync(HttpClient http, string url)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var (labels, value) in await SeriesAsync(http, url, "consumer_reconciliation_lag_seconds_bucket"))
        {
            if (!labels.Contains($"env=\"{env}\"", StringComparison.Ordinal))
            {
                continue;
            }

            var le = LeLabel().Match(labels).Groups["le"].Value;
            var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            buckets[bound] = buckets.GetValueOrDefault(bound) + value;
        }

        return buckets;
    }

    /// <summary>The sum of a metric's series at a service's /metrics whose labels contain every given label.</summary>
    public static async Task<double> SumAsync(HttpClient http, string url, string metric, params string[] labels) =>
        (await SeriesAsync(http, url, metric)).Where(s => labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);

    private static async Task<List<(string Labels, double Value)>> SeriesAsync(HttpClient http, string url, string metric)
    {
        var text = await http.GetStringAsync(new Uri(new Uri(url), "/metrics"));
        return Regex.Matches(text, $@"^{Regex.Escape(metric)}\{{(?<labels>[^}}]*)\}} (?<value>\S+)", RegexOptions.Multiline)
            .Select(m => (m.Groups["labels"].Value, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    [GeneratedRegex("le=\"(?<le>[^\"]+)\"")]
    private static partial Regex LeLabel();
}

/// <summary>What an open-loop run saw: commands sent, their answers and the client-side latency of each.</summary>
internal sealed class OpenLoopResult
{
    private readonly List<double> _latencies = [];
    private readonly Dictionary<string, int> _errors = [];
    private long _accepted;

    public long Sent { get; set; }

    public TimeSpan Took { get; set; }

    public long Accepted => Interlocked.Read(ref _accepted);

    public int Errors { get { lock (_errors) { return _errors.Values.Sum(); } } }

    public IReadOnlyDictionary<string, int> ErrorsByKind { get { lock (_errors) { return new Dictionary<string, int>(_errors); } } }

    public void Answered(bool success, string kind, double seconds)
    {
        lock (_latencies)
        {
            _latencies.Add(seconds);
        }

        if (success)
        {
            Interlocked.Increment(ref _accepted);
            return;
        }

        lock (_errors)
        {
            _errors[kind] = _errors.GetValueOrDefault(kind) + 1;
        }
    }

    /// <summary>The latency below which the given share of answers came, in seconds (nearest rank).</summary>
    public double Percentile(double q)
    {
        lock (_latencies)
        {
            if (_latencies.Count == 0)
            {
                return double.NaN;
            }

            var sorted = _latencies.Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }
}

internal static class OpenLoop
{
    /// <summary>
    /// Open loop: a command is due every 1/rate s whether or not earlier ones were answered, as real callers behave.
    /// <paramref name="tick"/> is called about every <paramref name="every"/> with the result so far.
    /// </summary>
    public static async Task<OpenLoopResult> DriveAsync(
        HttpClient client, Func<long, HttpRequestMessage> request, int rate, TimeSpan duration, TimeSpan every = default, Action<OpenLoopResult, TimeSpan>? tick = null)
    {
        var result = new OpenLoopResult();
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var nextTick = every;
        long sent = 0;
        while (clock.Elapsed < duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            for (; sent < due; sent++)
            {
                var n = sent;
                inFlight.Add(Task.Run(async () =>
                {
                    using var message = request(n);
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await client.SendAsync(message);
                        result.Answered(response.IsSuccessStatusCode, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), Stopwatch.GetElapsedTime(started).TotalSeconds);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        result.Answered(false, e.GetType().Name, Stopwatch.GetElapsedTime(started).TotalSeconds);
                    }
                }));
            }

            // Finished tasks are let go, so a long run does not hold every one of them.
            if (inFlight.Count > 10_000)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }

            if (tick is not null && every > TimeSpan.Zero && clock.Elapsed >= nextTick)
            {
                result.Sent = sent;
                tick(result, clock.Elapsed);
                nextTick += every;
            }

            await Task.Delay(5);
        }

        await Task.WhenAll(inFlight);
        result.Sent = sent;
        result.Took = clock.Elapsed;
        return result;
    }
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
