using System.Text;
using FilestoreStub.Changes;
using FilestoreStub.Commands;
using FilestoreStub.Events;
using FilestoreStub.Paths;
using FilestoreStub.Roots;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Tests.Commands;

/// <summary>File commands on a real file system in a temp folder.</summary>
public sealed class FileCommandTests : IDisposable
{
    private const string Env = "staging";
    private const string Service = "billing";
    private readonly string _data = Directory.CreateTempSubdirectory("filestore-commands-").FullName;
    private readonly FileCommands _commands;
    private readonly string _root;

    public FileCommandTests()
    {
        var roots = new ManagedRoots(Options.Create(new ManagedRootOptions { DataDirectory = Path.Combine(_data, "roots") }));
        _root = Directory.CreateDirectory(roots.RootOf(Env, Service)).FullName;
        File.WriteAllText(Path.Combine(_data, "outside.txt"), "not managed");
        _commands = new FileCommands(roots);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private Task<PlannedChange> Run(string name, string path, string? to = null, string? content = null) =>
        Task.FromResult(_commands.Execute(_commands.Prepare(Env, Service, new FileCommand(name, path, to, content is null ? null : Encoding.UTF8.GetBytes(content)))));

    private string Disk(string relative) => Path.Combine(_root, relative.Replace('/', Path.DirectorySeparatorChar));

    // Everything under the data folder except the stub's own work folder, with file contents; links are not followed.
    private SortedDictionary<string, string> Snapshot() =>
        new(Directory.EnumerateFileSystemEntries(_data, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}.filestore", StringComparison.Ordinal))
            .ToDictionary(p => p, p => File.Exists(p) ? File.ReadAllText(p) : "<dir>"), StringComparer.Ordinal);

    [Fact]
    public async Task Put_creates_the_file_and_its_folders_and_reports_size_and_hash()
    {
        var change = await Run("put", "invoices/2026/a.txt", content: "hello");

        Assert.Equal("hello", File.ReadAllText(Disk("invoices/2026/a.txt")));
        Assert.Equal(new PlannedChange(EventKinds.Created, "invoices/2026/a.txt", Size: 5,
            Sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"), change);
        // The temporary file was written beside the roots, not in one, and renamed away.
        Assert.False(Directory.Exists(Path.Combine(_root, ".filestore")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_data, "roots", ".work", "tmp")));
    }

    [Fact]
    public async Task Put_over_an_existing_file_replaces_it_and_is_a_modification()
    {
        await Run("put", "a.txt", content: "one");

        var change = await Run("put", "a.txt", content: "two");

        Assert.Equal(EventKinds.Modified, change.Kind);
        Assert.Equal("two", File.ReadAllText(Disk("a.txt")));
    }

    [Fact]
    public async Task Shadow_planning_reports_the_change_and_writes_nothing()
    {
        var before = Snapshot();

        var plan = _commands.Prepare(Env, Service, new FileCommand("put", "new/file.txt", Content: [1, 2, 3])).Change;

        Assert.Equal(EventKinds.Created, plan.Kind);
        Assert.Equal(3, plan.Size);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Mkdir_is_idempotent()
    {
        Assert.Equal(EventKinds.DirectoryCreated, (await Run("mkdir", "exports/q1")).Kind);
        Assert.Equal(PlannedChange.Unchanged, (await Run("mkdir", "exports/q1")).Kind);
        Assert.True(Directory.Exists(Disk("exports/q1")));
    }

    [Fact]
    public async Task Move_renames_and_a_refused_move_leaves_both_paths_as_they_were()
    {
        await Run("put", "a.txt", content: "a");
        await Run("put", "b.txt", content: "b");
        var before = Snapshot();

        var error = await Assert.ThrowsAsync<CommandRejectedException>(() => Run("move", "a.txt", to: "b.txt"));

        Assert.Equal("destination-exists", error.Type);
        Assert.Equal(before, Snapshot());

        var moved = await Run("move", "a.txt", to: "archive/2026/a.txt");
        Assert.Equal(new PlannedChange(EventKinds.Renamed, "archive/2026/a.txt", PreviousPath: "a.txt", Size: 1,
            Sha256: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"), moved);
        Assert.False(File.Exists(Disk("a.txt")));
        Assert.Equal("a", File.ReadAllText(Disk("archive/2026/a.txt")));
    }

    [Fact]
    public async Task A_move_of_a_source_that_vanished_is_refused_before_any_folder_is_made()
    {
        await Run("put", "report.csv", content: "x");
        File.Delete(Disk("report.csv")); // removed out of band, as a service still writing to disk might

        var error = await Assert.ThrowsAsync<CommandRejectedException>(() => Run("move", "report.csv", to: "deep/new/place.csv"));

        Assert.Equal("not-found", error.Type);
        Assert.False(Directory.Exists(Disk("deep")));
    }

    [Fact]
    public async Task Delete_removes_a_file_or_an_empty_folder_and_refuses_a_full_one()
    {
        await Run("put", "dir/a.txt", content: "a");

        var full = await Assert.ThrowsAsync<CommandRejectedException>(() => Run("delete", "dir"));
        await Run("delete", "dir/a.txt");
        await Run("delete", "dir");

        Assert.Equal("directory-not-empty", full.Type);
        Assert.False(Directory.Exists(Disk("dir")));
        Assert.Equal("not-found", (await Assert.ThrowsAsync<CommandRejectedException>(() => Run("delete", "dir"))).Type);
    }

    [Theory]
    [InlineData("put", "a.txt/b.txt", null, "parent-is-a-file")]
    [InlineData("mkdir", "a.txt", null, "is-a-file")]
    [InlineData("move", "missing.txt", "x.txt", "not-found")]
    [InlineData("move", "folder", "folder/inside", "move-into-itself")]
    [InlineData("move", "a.txt", null, "validation")]
    [InlineData("chmod", "a.txt", null, "unknown-command")]
    public async Task Impossible_commands_are_refused_with_their_reason_and_change_nothing(string name, string path, string? to, string type)
    {
        await Run("put", "a.txt", content: "a");
        await Run("mkdir", "folder");
        var before = Snapshot();

        var error = await Assert.ThrowsAsync<CommandRejectedException>(() => Run(name, path, to, content: name == "put" ? "x" : null));

        Assert.Equal(type, error.Type);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task A_put_through_a_symlink_planted_in_the_root_is_refused_and_writes_nothing_outside()
    {
        Directory.CreateSymbolicLink(Disk("escape"), _data);
        var before = Snapshot();

        await Assert.ThrowsAsync<PathRejectedException>(() => Run("put", "escape/outside.txt", content: "overwritten"));

        Assert.Equal("not managed", File.ReadAllText(Path.Combine(_data, "outside.txt")));
        Assert.Equal(before, Snapshot());
    }
}
