using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Seeding;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Seeding;

[Collection(RedisCollection.Name)]
public sealed class SeedingTests(RedisServer redis) : FilestoreTest(redis)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private async Task<List<FilestoreEvent>> SeedEventsIn(string queue, string env, string service) =>
        (await QueuedEvents.WaitingAsync(Redis, queue))
            .Where(e => e.Source == EventSources.Seed && e.Env == env && e.Service == service)
            .ToList();

    [Fact]
    public async Task Seeding_publishes_one_event_per_file_to_both_queues_with_size_and_hash()
    {
        var root = Path.Combine(App.DataDirectory, "production", "billing");
        _ = App.Server;
        Directory.CreateDirectory(Path.Combine(root, ".filestore", "tmp"));
        File.WriteAllText(Path.Combine(root, ".filestore", "tmp", "half-written"), "not a managed file");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Count(f => !f.Contains(".filestore", StringComparison.Ordinal));

        using var response = await App.Operator().PostAsync("/envs/production/services/billing/seed", null);
        var body = await response.Content.ReadAsStringAsync();
        var report = JsonSerializer.Deserialize<SeedReport>(body, Json)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((SeedStatus.Completed, files, files, 0), (report.Status, report.Files, report.Published, report.AlreadyPublished));
        // On the wire, as operators and the runbook read it: the status by name.
        Assert.Equal("completed", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
        foreach (var queue in EventQueues.All)
        {
            var events = await SeedEventsIn(queue, "production", "billing");
            Assert.Equal(files, events.Count);
            Assert.DoesNotContain(events, e => e.Path.StartsWith(".filestore", StringComparison.Ordinal));
            var summary = events.Single(e => e.Path == "2026/11/summary.csv");
            Assert.Equal(new FileInfo(Path.Combine(root, "2026", "11", "summary.csv")).Length, summary.Size);
            Assert.Equal(64, summary.Sha256!.Length);
            Assert.Equal(report.CorrelationId, summary.CorrelationId);
        }
    }

    [Fact]
    public async Task Seeding_twice_publishes_only_what_changed()
    {
        _ = App.Server;
        await App.Operator().PostAsync("/envs/staging/services/reports/seed", null);
        File.WriteAllText(Path.Combine(App.DataDirectory, "staging", "reports", "README.txt"), "edited since the first seeding");

        using var again = await App.Operator().PostAsync("/envs/staging/services/reports/seed", null);
        var report = (await again.Content.ReadFromJsonAsync<SeedReport>(Json))!;

        Assert.Equal(1, report.Published);
        Assert.Equal(report.Files - 1, report.AlreadyPublished);
        // The one published the second time is the edited file, with its new content.
        var readme = (await SeedEventsIn(EventQueues.Metastore, "staging", "reports")).Where(e => e.Path == "README.txt").ToList();
        Assert.Equal(2, readme.Count);
        Assert.Equal(new FileInfo(Path.Combine(App.DataDirectory, "staging", "reports", "README.txt")).Length, readme[^1].Size);
        var last = await App.Operator().GetFromJsonAsync<SeedReport>("/envs/staging/services/reports/seed", Json);
        Assert.Equal(report, last);
    }

    [Theory]
    [InlineData("/envs/qa/services/billing/seed", "unknown-environment")]
    [InlineData("/envs/staging/services/payroll/seed", "unknown-service")]
    public async Task Seeding_an_unknown_service_or_environment_is_a_404_that_names_which(string route, string problem)
    {
        using var response = await App.Operator().PostAsync(route, null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.EndsWith($"/{problem}", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_operator_may_seed()
    {
        var steps = new CutoverSteps(App);
        await steps.GrantAsync();
        using var service = App.ClientWith(await steps.IssueTokenAsync());

        using var anonymous = await App.ClientWith(null).PostAsync("/envs/staging/services/billing/seed", null);
        using var byService = await service.PostAsync("/envs/staging/services/billing/seed", null);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (anonymous.StatusCode, byService.StatusCode));
        Assert.Empty(await SeedEventsIn(EventQueues.Metastore, "staging", "billing"));
    }
}
