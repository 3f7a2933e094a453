using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Faults;

/// <summary>Drill faults: set and cleared through the API, felt by commands and watchers, visible as metrics.</summary>
[Collection(RedisCollection.Name)]
public sealed class FaultTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private async Task SetFaultsAsync(object faults)
    {
        using var response = await Steps.Operator.PutAsJsonAsync("/faults", faults);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_failure_rate_of_one_fails_every_command_without_writing_and_clearing_it_restores_them()
    {
        var client = await Steps.IntoManagedAsync();
        await SetFaultsAsync(new { commandFailureRate = 1.0 });

        using var failed = await Steps.CommandAsync(client, new { command = "put", path = "drill.txt", text = "x" }, key: "drill-1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/injected-failure", (await failed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.False(File.Exists(Path.Combine(Steps.Root, "drill.txt")));
        await Scrape.UntilAsync(App, "filestore_commands_total", 1, ("outcome", "failed"), ("mode", "managed"));
        await Scrape.UntilAsync(App, "filestore_fault_command_failure_ratio", 1);

        using var cleared = await Steps.Operator.DeleteAsync("/faults");
        using var retried = await Steps.CommandAsync(client, new { command = "put", path = "drill.txt", text = "x" }, key: "drill-1");

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.True(File.Exists(Path.Combine(Steps.Root, "drill.txt")));
    }

    [Fact]
    public async Task A_failure_rate_of_one_still_refuses_a_request_that_is_not_a_command_as_the_callers_fault()
    {
        var client = await Steps.IntoManagedAsync();
        await SetFaultsAsync(new { commandFailureRate = 1.0 });

        using var invalid = await Steps.CommandAsync(client, new { command = "explode", path = "drill.txt" });

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/unknown-command", (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Added_latency_is_shown_and_counted_for_each_delayed_command()
    {
        var client = await Steps.IntoManagedAsync();
        await SetFaultsAsync(new { addedLatencyMs = 50 });

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var slow = await Steps.CommandAsync(client, new { command = "mkdir", path = "slow" });
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.True(took >= TimeSpan.FromMilliseconds(50), $"answered in {took.TotalMilliseconds} ms");
        await Scrape.UntilAsync(App, "filestore_fault_added_latency_seconds", 0.05);
        await Scrape.UntilAsync(App, "filestore_faults_injected_total", 1, ("fault", "latency"));
    }

    [Fact]
    public async Task A_drift_storm_writes_out_of_band_changes_that_the_watcher_reports_until_it_is_cleared()
    {
        await Steps.WatcherAsync(true);
        await SetFaultsAsync(new { driftStorm = new { env = "staging", service = "billing", changesPerSecond = 100 } });

        await Eventually.Until(
            async () => (await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore)).Count(e => e.Source == EventSources.Drift && e.Path.StartsWith("drift-storm/", StringComparison.Ordinal)),
            n => n >= 20, what: "drift events from the storm");
        await Scrape.UntilAsync(App, "filestore_fault_drift_storm_changes_per_second", 100, ("env", "staging"), ("service", "billing"));
        await Scrape.UntilAsync(App, "filestore_drift_detected_total", 20, ("env", "staging"), ("service", "billing"));

        using var cleared = await Steps.Operator.DeleteAsync("/faults");
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);

        // The writer checks the faults every 50 ms; the watcher reports a marker only after settling 200 ms and scanning.
        // So once a marker written after the clear is reported, the storm has stopped; once a second one is, a storm
        // still writing would have changed the folder (every change writes its own number or deletes a file).
        var first = await MarkerAsync("after-storm-1.txt");
        var settled = StormFiles();
        var second = await MarkerAsync("after-storm-2.txt");

        Assert.Equal(settled, StormFiles());
        Assert.True(second.Sequence > first.Sequence);
        var lateStormDrift = (await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore))
            .Where(e => e.Source == EventSources.Drift && e.Path.StartsWith("drift-storm/", StringComparison.Ordinal) && e.Sequence > first.Sequence);
        Assert.Empty(lateStormDrift);
    }

    private Dictionary<string, string> StormFiles() => Directory.GetFiles(Path.Combine(Steps.Root, "drift-storm")).ToDictionary(f => f, File.ReadAllText);

    // Writes a file out of band and waits until the watcher has published it: a later point every earlier scan has passed.
    private async Task<FilestoreEvent> MarkerAsync(string name)
    {
        File.WriteAllText(Path.Combine(Steps.Root, name), name);
        var events = await Eventually.Until(() => QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore),
            e => e.Any(x => x.Source == EventSources.Drift && x.Path == name), what: $"the drift event of {name}");
        return events.Single(x => x.Source == EventSources.Drift && x.Path == name);
    }

    [Theory]
    [InlineData("""{"commandFailureRate":1.5}""", "commandFailureRate")]
    [InlineData("""{"addedLatencyMs":-1}""", "addedLatencyMs")]
    [InlineData("""{"driftStorm":{"env":"qa","service":"billing"}}""", "driftStorm")]
    [InlineData("""{"driftStorm":{"env":"staging","service":"billing","changesPerSecond":100000}}""", "driftStorm.changesPerSecond")]
    public async Task Invalid_faults_are_refused_and_change_nothing(string body, string field)
    {
        await SetFaultsAsync(new { addedLatencyMs = 5 });

        using var response = await Steps.Operator.PutAsync("/faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(5, (await Steps.Operator.GetFromJsonAsync<JsonElement>("/faults")).GetProperty("addedLatencyMs").GetInt32());
    }
}
