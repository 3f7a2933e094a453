using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Paths;

/// <summary>The walk every feature uses: every managed file at any depth, never the work folder, never through a link.</summary>
public sealed class ManagedTreeTests : IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("filestore-tree-").FullName;

    private string Root => Path.Combine(_sandbox, "root");

    public ManagedTreeTests() => Directory.CreateDirectory(Root);

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private void Write(string relative, string text = "x")
    {
        var full = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private List<string> Walk() => ManagedTree.Files(Root).Select(f => f.Relative).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Every_file_at_every_depth_is_listed_with_a_slash_separated_relative_path_and_its_full_path()
    {
        Write("top.txt");
        Write("reports/2026/q3.csv");

        var files = ManagedTree.Files(Root).OrderBy(f => f.Relative, StringComparer.Ordinal).ToList();

        Assert.Equal(["reports/2026/q3.csv", "top.txt"], files.Select(f => f.Relative));
        Assert.Equal([Path.Combine(Root, "reports", "2026", "q3.csv"), Path.Combine(Root, "top.txt")], files.Select(f => f.FullPath));
    }

    [Fact]
    public void The_work_folder_is_left_out_but_names_that_only_start_like_it_are_not()
    {
        Write($"{ManagedTree.ReservedFolder}/put-1.tmp");
        Write($"{ManagedTree.ReservedFolder}/nested/put-2.tmp");
        Write($"{ManagedTree.ReservedFolder}-old/kept.txt");
        Write($"{ManagedTree.ReservedFolder}x");
        Write($"reports/{ManagedTree.ReservedFolder}/kept.txt");

        Assert.Equal([$"{ManagedTree.ReservedFolder}-old/kept.txt", $"{ManagedTree.ReservedFolder}x", $"reports/{ManagedTree.ReservedFolder}/kept.txt"], Walk());
    }

    [Fact]
    public void A_file_named_like_the_work_folder_at_the_top_is_left_out()
    {
        Write(ManagedTree.ReservedFolder);
        Write("kept.txt");

        Assert.Equal(["kept.txt"], Walk());
    }

    [Fact]
    public void Linked_folders_and_linked_files_are_not_followed()
    {
        var outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "outside the root");
        Directory.CreateSymbolicLink(Path.Combine(Root, "escape"), outside);
        File.CreateSymbolicLink(Path.Combine(Root, "alias.txt"), Path.Combine(outside, "secret.txt"));
        Write("real.txt");

        Assert.Equal(["real.txt"], Walk());
    }

    [Fact]
    public void A_root_that_does_not_exist_has_no_files()
    {
        Assert.Empty(ManagedTree.Files(Path.Combine(_sandbox, "never-created")));
    }

    [Fact]
    public void A_file_the_service_holds_open_for_writing_can_still_be_hashed()
    {
        var file = Path.Combine(Root, "busy.txt");
        using var writer = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        writer.Write("abc"u8);
        writer.Flush();

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ManagedTree.Sha256(file));
    }

    [Fact]
    public void The_hash_is_the_lowercase_hex_sha256_of_the_content()
    {
        Write("abc.txt", "abc");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ManagedTree.Sha256(Path.Combine(Root, "abc.txt")));
    }
}
