using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using FilestoreStub.Watchers;

namespace FilestoreStub.Tests.Watchers;

[Collection(RedisCollection.Name)]
public sealed class DriftWatcherTests(RedisServer redis) : FilestoreTest(redis)
{
    private const string Route = "/envs/staging/services/billing/watcher";

    private string Root => Path.Combine(App.DataDirectory, "staging", "billing");

    // The queues are shared by the whole collection; each test looks only at paths under its own folder.
    private readonly string _folder = $"drift-{Guid.NewGuid():N}";

    private async Task<List<FilestoreEvent>> DriftEvents() =>
        (await QueuedEvents.WaitingAsync(Redis, EventQueues.Timestore))
            .Where(e => e.Source == EventSources.Drift && e.Env == "staging" && e.Service == "billing"
                        && e.Path.StartsWith(_folder, StringComparison.Ordinal))
            .ToList();

    private async Task SetWatcher(bool enabled)
    {
        using var response = await App.Operator().PutAsJsonAsync(Route, new { enabled });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(enabled, (await response.Content.ReadFromJsonAsync<WatcherState>())!.Enabled);
    }

    [Fact]
    public async Task Out_of_band_changes_become_drift_events_in_the_queues()
    {
        await SetWatcher(true);
        Directory.CreateDirectory(Path.Combine(Root, _folder));

        File.WriteAllText(Path.Combine(Root, _folder, "a.txt"), "written by the service itself");
        await Eventually.Until(DriftEvents, e => e.Any(d => d.Kind == "created"), what: "a created drift event");
        File.Move(Path.Combine(Root, _folder, "a.txt"), Path.Combine(Root, _folder, "b.txt"));
        await Eventually.Until(DriftEvents, e => e.Any(d => d.Kind == "renamed"), what: "a renamed drift event");
        File.Delete(Path.Combine(Root, _folder, "b.txt"));
        var events = await Eventually.Until(DriftEvents, e => e.Any(d => d.Kind == "deleted"), what: "a deleted drift event");

        Assert.Equal(
            [("created", $"{_folder}/a.txt", null), ("renamed", $"{_folder}/b.txt", $"{_folder}/a.txt"), ("deleted", $"{_folder}/b.txt", null)],
            events.Select(e => (e.Kind, e.Path, e.PreviousPath)));
        Assert.Equal(29, events[0].Size);
        // Both consumers' queues, not only the one read above, hold the same events.
        var metastore = await Eventually.Until(
            async () => (await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore)).Where(e => e.Source == EventSources.Drift && e.Path.StartsWith(_folder, StringComparison.Ordinal)).ToList(),
            e => e.Count >= events.Count, what: "the same drift events in the metastore queue");
        Assert.Equal(events.Select(e => e.EventId), metastore.Select(e => e.EventId));
    }

    [Fact]
    public async Task A_disabled_watcher_publishes_nothing_and_the_gauge_says_so()
    {
        await SetWatcher(true);
        await SetWatcher(false);

        Directory.CreateDirectory(Path.Combine(Root, _folder));
        File.WriteAllText(Path.Combine(Root, _folder, "off.txt"), "unseen");
        var metrics = await App.CreateClient().GetStringAsync("/metrics");
        Assert.Matches("filestore_watcher_enabled\\{[^}]*env=\"staging\"[^}]*service=\"billing\"[^}]*\\} 0", metrics);

        // Switched on again, the watcher takes what is there as its baseline; a marker written after that is reported.
        // A watcher that had kept running while off would have reported off.txt by then (it scans on every change).
        await SetWatcher(true);
        File.WriteAllText(Path.Combine(Root, _folder, "marker.txt"), "seen");
        var events = await Eventually.Until(DriftEvents, e => e.Any(d => d.Path == $"{_folder}/marker.txt"), what: "the marker's drift event");

        Assert.Equal([$"{_folder}/marker.txt"], events.Select(e => e.Path));
    }

    [Fact]
    public async Task The_watcher_setting_survives_a_restart()
    {
        await SetWatcher(true);
        await App.StopAsync();

        await using var restarted = new FilestoreApp(Redis);
        var state = await restarted.Operator().GetFromJsonAsync<WatcherState>(Route);

        Assert.True(state!.Enabled);
    }

    private async Task<List<(string Queue, FilestoreEvent Event)>> DriftEventsOf(string path)
    {
        var found = new List<(string, FilestoreEvent)>();
        foreach (var queue in EventQueues.All)
        {
            found.AddRange((await QueuedEvents.WaitingAsync(Redis, queue))
                .Where(e => e.Source == EventSources.Drift && e.Env == "staging" && e.Service == "billing" && e.Path == path)
                .Select(e => (queue, e)));
        }

        return found;
    }

    private static string ProblemType(string body) => JsonDocument.Parse(body).RootElement.GetProperty("type").GetString()!;

    private string[] ProbeFiles() => Directory.GetFiles(Root, "filestore-watcher-probe-*").Select(Path.GetFileName).ToArray()!;

    [Fact]
    public async Task A_probe_and_its_removal_reach_both_queues_as_drift_because_filestore_does_not_announce_them()
    {
        await SetWatcher(true);
        var client = App.Operator();

        using var written = await client.PostAsync($"{Route}/probe", null);

        var probe = await written.Content.ReadFromJsonAsync<ProbeFile>();
        Assert.Equal(HttpStatusCode.Created, written.StatusCode);
        Assert.Matches("^filestore-watcher-probe-[0-9]{8}T[0-9]{9}Z-[0-9a-f]{4}\\.txt$", probe!.Path);
        Assert.Equal(("staging", "billing"), (probe.Env, probe.Service));
        Assert.Equal($"/envs/staging/services/billing/watcher/probe/{probe.Path}", written.Headers.Location?.OriginalString);
        var file = Path.Combine(Root, probe.Path);
        Assert.Equal(probe.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        var created = await Eventually.Until(() => DriftEventsOf(probe.Path), e => e.Count == 2, what: "the probe's created drift event in both queues");
        Assert.Equal(EventQueues.All.Order(), created.Select(c => c.Queue).Order());
        Assert.All(created, c => Assert.Equal((EventKinds.Created, probe.Sha256), (c.Event.Kind, c.Event.Sha256)));

        using var removed = await client.DeleteAsync($"{Route}/probe/{probe.Path}");

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        var gone = await removed.Content.ReadFromJsonAsync<ProbeFile>();
        Assert.Equal((probe.Path, probe.Sha256), (gone!.Path, gone.Sha256));
        Assert.False(File.Exists(file));
        var all = await Eventually.Until(() => DriftEventsOf(probe.Path), e => e.Count(d => d.Event.Kind == EventKinds.Deleted) == 2,
            what: "the probe's deleted drift event in both queues");
        Assert.Equal(4, all.Count);
    }

    [Fact]
    public async Task No_probe_is_written_while_the_watcher_is_off_because_nobody_would_see_it()
    {
        using var response = await App.Operator().PostAsync($"{Route}/probe", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/watcher-off", ProblemType(await response.Content.ReadAsStringAsync()));
        Assert.Empty(ProbeFiles());
    }

    [Fact]
    public async Task No_probe_is_written_or_removed_in_shadow_where_it_would_count_as_an_unplanned_change()
    {
        await new CutoverSteps(App).IntoShadowAsync();
        var name = "filestore-watcher-probe-20260101T000000000Z-abcd.txt";

        using var write = await App.Operator().PostAsync($"{Route}/probe", null);
        using var remove = await App.Operator().DeleteAsync($"{Route}/probe/{name}");

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (write.StatusCode, remove.StatusCode));
        Assert.Equal("https://filestore.sandbox/problems/probe-in-shadow", ProblemType(await write.Content.ReadAsStringAsync()));
        Assert.Equal("https://filestore.sandbox/problems/probe-in-shadow", ProblemType(await remove.Content.ReadAsStringAsync()));
        Assert.Empty(ProbeFiles());
    }

    [Theory]
    [InlineData("README.txt")]
    [InlineData("filestore-watcher-probe-20260101T000000000Z-ABCD.txt")]
    [InlineData("filestore-watcher-probe-20260101T000000000Z-abcd.txt.bak")]
    [InlineData("..%2FREADME.txt")]
    public async Task Only_probe_files_can_be_removed_through_the_probe_route(string name)
    {
        await SetWatcher(true);
        var before = Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Order().ToList();

        using var response = await App.Operator().DeleteAsync($"{Route}/probe/{name}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/validation", ProblemType(await response.Content.ReadAsStringAsync()));
        Assert.Equal(before, Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public async Task Removing_a_probe_that_is_not_there_is_a_404()
    {
        await SetWatcher(true);

        using var response = await App.Operator().DeleteAsync($"{Route}/probe/filestore-watcher-probe-20260101T000000000Z-abcd.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/not-found", ProblemType(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Only_the_operator_may_switch_a_watcher()
    {
        var steps = new CutoverSteps(App);
        await steps.GrantAsync();
        using var service = App.ClientWith(await steps.IssueTokenAsync());

        using var anonymous = await App.ClientWith(null).PutAsJsonAsync(Route, new { enabled = true });
        using var byService = await service.PutAsJsonAsync(Route, new { enabled = true });

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (anonymous.StatusCode, byService.StatusCode));
        Assert.False((await App.Operator().GetFromJsonAsync<WatcherState>(Route))!.Enabled);
    }
}
