using FilestoreStub.Watchers;

namespace FilestoreStub.Tests.Watchers;

public sealed class TreeSnapshotTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("filestore-tree-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void Created_modified_deleted_and_renamed_files_are_told_apart()
    {
        Write("keep.txt", "same");
        Write("edit.txt", "before");
        Write("gone.txt", "bye");
        Write("old/name.txt", "moving");
        var before = TreeSnapshot.Scan(_root);

        Write("new.txt", "hello");
        Write("edit.txt", "after, longer");
        File.Delete(Path.Combine(_root, "gone.txt"));
        Directory.CreateDirectory(Path.Combine(_root, "new-place"));
        File.Move(Path.Combine(_root, "old", "name.txt"), Path.Combine(_root, "new-place", "name.txt"));

        var drifts = before.Compare(TreeSnapshot.Scan(_root, before));

        Assert.Equal(
            [("renamed", "new-place/name.txt", "old/name.txt"), ("created", "new.txt", null), ("modified", "edit.txt", null), ("deleted", "gone.txt", null)],
            drifts.Select(d => (d.Kind, d.Path, d.PreviousPath)));
    }

    [Fact]
    public void The_work_folder_and_links_are_not_part_of_the_tree()
    {
        Write(".filestore/tmp/partial", "x");
        Write("real.txt", "x");
        File.CreateSymbolicLink(Path.Combine(_root, "link.txt"), Path.Combine(_root, "real.txt"));

        Assert.Equal(["real.txt"], TreeSnapshot.Scan(_root).Files.Keys);
    }

    [Fact]
    public void An_unchanged_tree_has_no_drift()
    {
        Write("a/b.txt", "x");
        var first = TreeSnapshot.Scan(_root);

        Assert.Empty(first.Compare(TreeSnapshot.Scan(_root, first)));
    }
}
