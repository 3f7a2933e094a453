using System.Net;
using System.Net.Http.Json;
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
    }

    [Fact]
    public async Task A_disabled_watcher_publishes_nothing_and_the_gauge_says_so()
    {
        await SetWatcher(true);
        await SetWatcher(false);

        Directory.CreateDirectory(Path.Combine(Root, _folder));
        File.WriteAllText(Path.Combine(Root, _folder, "off.txt"), "unseen");
        await Task.Delay(1000);

        Assert.Empty(await DriftEvents());
        var metrics = await App.CreateClient().GetStringAsync("/metrics");
        Assert.Matches("filestore_watcher_enabled\\{[^}]*env=\"staging\"[^}]*service=\"billing\"[^}]*\\} 0", metrics);
    }

    [Fact]
    public async Task The_watcher_setting_survives_a_restart()
    {
        await SetWatcher(true);

        await using var restarted = new FilestoreApp(Redis);
        var state = await restarted.Operator().GetFromJsonAsync<WatcherState>(Route);

        Assert.True(state!.Enabled);
    }

    [Fact]
    public async Task Only_the_operator_may_switch_a_watcher()
    {
        using var response = await App.ClientWith(null).PutAsJsonAsync(Route, new { enabled = true });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
