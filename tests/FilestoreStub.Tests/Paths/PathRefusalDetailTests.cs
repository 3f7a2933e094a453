using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Paths;

/// <summary>
/// A refusal's message becomes the problem's <c>detail</c>, the caller's only explanation: it must be a sentence,
/// and the root itself never counts as inside it.
/// </summary>
public sealed class PathRefusalDetailTests : IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("filestore-refusal-").FullName;

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    [Theory]
    [MemberData(nameof(HostilePathTests.Corpus), MemberType = typeof(HostilePathTests), DisableDiscoveryEnumeration = true)]
    public void Every_refusal_explains_itself_in_words(string raw, string reason)
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize(raw));

        Assert.Equal(reason, error.Reason);
        // A sentence: something before its full stop.
        Assert.Matches(@"^\S.{5,}\.$", error.Message);
    }

    [Fact]
    public void A_refused_symlink_names_the_link_on_the_way()
    {
        var root = Path.Combine(_sandbox, "root");
        Directory.CreateDirectory(Path.Combine(root, "reports"));
        Directory.CreateSymbolicLink(Path.Combine(root, "reports", "escape"), _sandbox);

        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Resolve(root, "reports/escape/secret.txt"));

        Assert.Equal("symlink", error.Reason);
        Assert.Contains("'reports/escape'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_given_with_a_trailing_separator_resolves_like_the_same_root_without_one()
    {
        var root = Path.Combine(_sandbox, "root");

        var path = ManagedPath.Resolve(root + Path.DirectorySeparatorChar, "reports/q3.csv");

        Assert.Equal(root, path.Root);
        Assert.Equal(Path.Combine(root, "reports", "q3.csv"), path.FullPath);
    }

    [Fact]
    public void The_file_system_root_as_a_managed_root_refuses_every_path_as_outside_it()
    {
        // The last check wants root + separator at the start of every full path, which "/" + "/" never is.
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Resolve(Path.GetPathRoot(_sandbox)!, "etc/passwd"));

        Assert.Equal("outside-root", error.Reason);
        Assert.Equal("'etc/passwd' resolves outside the managed root.", error.Message);
    }

    [Fact]
    public void A_relative_root_is_made_absolute()
    {
        var path = ManagedPath.Resolve("relative-root", "a.txt");

        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "relative-root"), path.Root);
        Assert.True(Path.IsPathFullyQualified(path.FullPath));
    }
}
