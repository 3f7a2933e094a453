using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Outage;

/// <summary>
/// Redis killed under a running stub (SIGKILL, as a crash): every call that needs the store answers 503
/// <c>store-unavailable</c> with <c>Retry-After</c>, never a 500; nothing is written; <c>/health</c> names the check that
/// is down; and once Redis is back the same calls work without restarting the stub. A server of its own, since it dies.
/// </summary>
public sealed class StoreOutageTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private FilestoreApp _app = null!;
    private CutoverSteps _steps = null!;
    private HttpClient _service = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _app = new FilestoreApp(_redis);
        _steps = new CutoverSteps(_app);
        _service = await _steps.IntoManagedAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static async Task AssertStoreUnavailableAsync(HttpResponseMessage response, string call)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{call}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://filestore.sandbox/problems/store-unavailable", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task While_Redis_is_down_every_call_that_needs_it_is_a_503_with_retry_after_and_nothing_is_written()
    {
        await _redis.KillAsync();

        using (var command = await _steps.CommandAsync(_service, new { command = "put", path = "outage.txt", text = "x" }, key: "outage-put"))
        {
            await AssertStoreUnavailableAsync(command, "command");
        }

        Assert.False(File.Exists(Path.Combine(_steps.Root, "outage.txt")));
        // Counted as Filestore's failure, so the command success SLO sees the outage.
        await Scrape.UntilAsync(_app, "filestore_commands_total", 1, ("command", "put"), ("outcome", "failed"), ("mode", "managed"));
        using (var policy = await _steps.Operator.PutAsJsonAsync("/envs/staging/policy", new { rules = Array.Empty<object>() }))
        {
            await AssertStoreUnavailableAsync(policy, "policy apply");
        }

        using (var token = await _steps.Operator.PostAsJsonAsync("/access/tokens", new { principal = "reports-app", kind = "service" }))
        {
            await AssertStoreUnavailableAsync(token, "token issue");
        }

        using (var rollback = await _steps.Operator.PostAsJsonAsync($"{_steps.Route}/cutover", new { to = "manual" }))
        {
            await AssertStoreUnavailableAsync(rollback, "rollback");
            var steps = JsonDocument.Parse(await rollback.Content.ReadAsStringAsync()).RootElement.GetProperty("steps");
            Assert.Equal(("disable-watcher", "failed"), (steps[0].GetProperty("name").GetString(), steps[0].GetProperty("outcome").GetString()));
        }

        // A token the stub has not judged lately must be looked up: that is a 503 too, not a 401 or a 500.
        using (var stranger = await _app.ClientWith("fst_a-token-nobody-has-seen-before").GetAsync("/access/whoami"))
        {
            await AssertStoreUnavailableAsync(stranger, "unknown token");
        }

        // An outage, not a bug: one warning line per call, not the exception handler's error with a stack trace (the
        // Redis client still logs each lost connection once).
        Assert.DoesNotContain(_app.Logs.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore.Diagnostics", StringComparison.Ordinal));
        Assert.Contains(_app.Logs.Entries, e => e.Level == LogLevel.Warning && e.Exception is null
            && e.Message.StartsWith("PUT /envs/staging/policy answered 503 store-unavailable: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_names_the_check_that_is_down_and_the_stub_recovers_by_itself_when_Redis_is_back()
    {
        await _redis.KillAsync();

        var health = await Eventually.Until(async () =>
        {
            using var response = await _app.CreateClient().GetAsync("/health");
            return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }, h => h.Item1 == 503, TimeSpan.FromSeconds(60), "/health unhealthy");

        Assert.Equal("Unhealthy", health.Item2.GetProperty("status").GetString());
        var down = health.Item2.GetProperty("checks").EnumerateObject().Where(c => c.Value.GetProperty("status").GetString() != "Healthy").Select(c => c.Name).ToList();
        Assert.Contains(down, name => name.Contains("Redis", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("queue:metastore-events", down);
        Assert.Equal("Healthy", health.Item2.GetProperty("checks").GetProperty("self").GetProperty("status").GetString());

        await _redis.StartAgainAsync();
        await Eventually.Until(async () =>
        {
            using var response = await _steps.CommandAsync(_service, new { command = "put", path = "after.txt", text = "back" }, key: "after-outage");
            return response.StatusCode;
        }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "a command accepted after Redis is back");
        Assert.Equal("back", File.ReadAllText(Path.Combine(_steps.Root, "after.txt")));
    }
}
