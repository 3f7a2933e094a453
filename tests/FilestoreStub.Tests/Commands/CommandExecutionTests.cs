using System.Text;
using FilestoreStub.Access;
using FilestoreStub.Changes;
using FilestoreStub.Commands;
using FilestoreStub.Events;
using FilestoreStub.Roots;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FilestoreStub.Tests.Commands;

/// <summary>The disk step of the command path without a web host: planning writes nothing, executing announces, changes and numbers.</summary>
public sealed class CommandExecutionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly string _data = Directory.CreateTempSubdirectory("filestore-execution-").FullName;
    private readonly string _root;
    private readonly Announcements _announced = new();
    private readonly CommandExecution _execution;

    public CommandExecutionTests()
    {
        var roots = new ManagedRoots(Options.Create(new ManagedRootOptions { DataDirectory = Path.Combine(_data, "roots") }));
        _root = Directory.CreateDirectory(roots.RootOf(Scope.Env, Scope.Service)).FullName;
        var clock = new FakeTimeProvider(Now);
        _execution = new CommandExecution(new FileCommands(roots), new PathLocks(), new EventSequence(clock), _announced, clock);
    }

    private static CommandScope Scope { get; } = new("staging", "billing", CutoverMode.Managed, new Principal("billing-app", PrincipalKind.Service), "corr-1");

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static FileCommand Put(string path, string text) => new(CommandNames.Put, path, Content: Encoding.UTF8.GetBytes(text));

    /// <summary>What the drift watchers would have been told, in order.</summary>
    private sealed class Announcements : IExpectedChanges
    {
        public List<string> Log { get; } = [];

        public void Expect(string env, string service, IReadOnlyList<ExpectedChange> changes) =>
            Log.AddRange(changes.Select(c => $"expect {env}/{service}/{c.Path} {(c.Sha256 is null ? "gone" : "present")}"));

        public void Withdraw(string env, string service, IReadOnlyList<ExpectedChange> changes) =>
            Log.AddRange(changes.Select(c => $"withdraw {env}/{service}/{c.Path}"));
    }

    [Fact]
    public void A_plan_answers_the_change_and_records_it_without_touching_the_disk_or_the_watchers()
    {
        var answer = _execution.Plan(Scope with { Mode = CutoverMode.Shadow }, Put("reports/a.csv", "hello"));

        Assert.Equal((200, "put"), (answer.Status, answer.Command));
        Assert.Equal(new PlannedChange(EventKinds.Created, "reports/a.csv", Size: 5,
            Sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"), answer.Plan!.Change);
        Assert.Equal(("put", "billing-app", "corr-1", Now), (answer.Plan.Command, answer.Plan.Principal, answer.Plan.CorrelationId, answer.Plan.At));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
        Assert.Empty(_announced.Log);
        Assert.Contains("\"executed\":false", ((RanAnswer)answer.Result).Json);
    }

    [Fact]
    public async Task Executing_announces_the_change_makes_it_and_numbers_one_event_for_it()
    {
        var (done, refused) = await _execution.ExecuteAsync(Scope, Put("a.txt", "hello"), CancellationToken.None);

        Assert.Null(refused);
        Assert.Equal("hello", File.ReadAllText(Path.Combine(_root, "a.txt")));
        Assert.Equal(["expect staging/billing/a.txt present"], _announced.Log);
        var @event = Assert.Single(done!.Events);
        Assert.Equal(($"cmd-{done.CommandId}", "a.txt", EventKinds.Created, EventSources.Command, "corr-1", done.CommandId, Now.ToUnixTimeMilliseconds()),
            (@event.EventId, @event.Path, @event.Kind, @event.Source, @event.CorrelationId, @event.CommandId, @event.OccurredAt));
        Assert.Equal(Now.ToUnixTimeMilliseconds() * 1000, @event.Sequence);
    }

    [Fact]
    public async Task A_folder_move_is_one_event_per_file_then_the_folder_numbered_in_that_order()
    {
        Directory.CreateDirectory(Path.Combine(_root, "in", "deep"));
        File.WriteAllText(Path.Combine(_root, "in", "one.txt"), "1");
        File.WriteAllText(Path.Combine(_root, "in", "deep", "two.txt"), "2");

        var (done, _) = await _execution.ExecuteAsync(Scope, new FileCommand(CommandNames.Move, "in", "out"), CancellationToken.None);

        Assert.Equal(EventKinds.DirectoryRenamed, done!.Events[^1].Kind);
        Assert.Equal(("out", "in"), (done.Events[^1].Path, done.Events[^1].PreviousPath));
        Assert.Equal(["out/deep/two.txt", "out/one.txt"], done.Events.SkipLast(1).Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal(done.Events.Select((_, i) => $"cmd-{done.CommandId}-{i}"), done.Events.Select(e => e.EventId));
        Assert.Equal(done.Events.Select(e => e.Sequence).Order(), done.Events.Select(e => e.Sequence));
        Assert.Equal(done.Events.Count, done.Events.Select(e => e.Sequence).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(_root, "out", "deep", "two.txt")));
    }

    [Fact]
    public async Task A_command_the_disk_refuses_changes_nothing_and_announces_nothing()
    {
        var (done, refused) = await _execution.ExecuteAsync(Scope, new FileCommand(CommandNames.Delete, "missing.txt"), CancellationToken.None);

        Assert.Null(done);
        Assert.Equal((404, "delete"), (refused!.Status, refused.Command));
        Assert.Empty(_announced.Log);
    }

    [Fact]
    public async Task A_path_that_leaves_the_root_is_refused_before_the_disk_is_touched()
    {
        var (done, refused) = await _execution.ExecuteAsync(Scope, Put("../outside.txt", "x"), CancellationToken.None);

        Assert.Null(done);
        Assert.Equal(400, refused!.Status);
        Assert.False(File.Exists(Path.Combine(_data, "roots", "staging", "outside.txt")));
        Assert.Empty(_announced.Log);
    }
}
