using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Paths;

/// <summary>Paths an attacker (or a careless caller) sends; each must be refused for the stated reason.</summary>
public sealed class HostilePathTests : IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("filestore-paths-").FullName;

    private string Root => Path.Combine(_sandbox, "root");

    public HostilePathTests()
    {
        Directory.CreateDirectory(Path.Combine(Root, "reports"));
        File.WriteAllText(Path.Combine(_sandbox, "secret.txt"), "outside the root");
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    public static TheoryData<string, string> Corpus => new()
    {
        { "..", "parent-segment" },
        { "../secret.txt", "parent-segment" },
        { "reports/../../secret.txt", "parent-segment" },
        { "reports/..", "parent-segment" },
        { "a/b/../../..", "parent-segment" },
        { "./../secret.txt", "parent-segment" },
        { "..%2fsecret.txt", "percent-encoded" },
        { "%2e%2e/secret.txt", "percent-encoded" },
        { "%252e%252e/secret.txt", "percent-encoded" },
        { "reports%2f..%2f..%2fsecret.txt", "percent-encoded" },
        { "..%5csecret.txt", "percent-encoded" },
        { "\uFF0E\uFF0E/secret.txt", "parent-segment" },
        { "\u2025/secret.txt", "parent-segment" },
        { "reports/\uFF0E\uFF0E/\uFF0E\uFF0E/secret.txt", "parent-segment" },
        { "/etc/passwd", "absolute" },
        { "/", "absolute" },
        { "//server/share/file", "absolute" },
        { "~/secret.txt", "absolute" },
        { "~root/.ssh/id_rsa", "absolute" },
        { "./~root/.ssh/id_rsa", "absolute" },
        { ".//C:/Windows/win.ini", "drive-letter" },
        { "C:/Windows/win.ini", "drive-letter" },
        { "c:secret.txt", "drive-letter" },
        { "..\\secret.txt", "backslash" },
        { "reports\\..\\..\\secret.txt", "backslash" },
        { "\\\\server\\share", "backslash" },
        { "reports/a\0.txt", "control-character" },
        { "\0", "control-character" },
        { "reports/line\nbreak.txt", "control-character" },
        { "reports/tab\there.txt", "control-character" },
        { "reports/bell\u0007.txt", "control-character" },
        { "reports/\u001b[31mred.txt", "control-character" },
        { "reports/del\u007f.txt", "control-character" },
        { "reports/c1\u0085.txt", "control-character" },
        { "reports/rtl\u202Etxt.exe", "control-character" },
        { "reports/zero\u200Bwidth.txt", "control-character" },
        { "reports/bom\uFEFF.txt", "control-character" },
        { "reports/\u2028.txt", "control-character" },
        { "reports/broken\uD800.txt", "invalid-unicode" },
        { "reports/\uDC00lone.txt", "invalid-unicode" },
        { "CON", "reserved-name" },
        { "reports/nul.txt", "reserved-name" },
        { "reports/COM1", "reserved-name" },
        { "reports/lpt9.log", "reserved-name" },
        { "reports/trailing.", "reserved-name" },
        { "reports/trailing ", "reserved-name" },
        { ".filestore/state", "reserved-name" },
        { "", "empty" },
        { "   ", "empty" },
        { "./", "empty" },
        { "reports/" + new string('a', 256), "too-long" },
        { string.Join('/', Enumerable.Repeat("abcdefghij", 100)), "too-long" },
    };

    [Theory]
    [MemberData(nameof(Corpus), DisableDiscoveryEnumeration = true)]
    public void Hostile_path_is_refused_for_its_reason_and_touches_nothing(string raw, string reason)
    {
        var before = Snapshot();

        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Resolve(Root, raw));

        Assert.Equal(reason, error.Reason);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void The_corpus_has_at_least_forty_hostile_paths() => Assert.True(Corpus.Count >= 40, $"{Corpus.Count} paths");

    [Fact]
    public void A_symlink_inside_the_root_that_leads_outside_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "escape"), _sandbox);

        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Resolve(Root, "escape/secret.txt"));

        Assert.Equal("symlink", error.Reason);
    }

    [Fact]
    public void A_symlinked_file_is_refused_even_when_it_points_inside_the_root()
    {
        File.WriteAllText(Path.Combine(Root, "reports", "real.txt"), "x");
        File.CreateSymbolicLink(Path.Combine(Root, "reports", "alias.txt"), Path.Combine(Root, "reports", "real.txt"));

        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Resolve(Root, "reports/alias.txt"));

        Assert.Equal("symlink", error.Reason);
    }

    [Fact]
    public void A_symlink_planted_after_the_check_is_caught_by_the_check_before_use()
    {
        var path = ManagedPath.Resolve(Root, "incoming/report.csv");
        Directory.CreateSymbolicLink(Path.Combine(Root, "incoming"), _sandbox);

        var error = Assert.Throws<PathRejectedException>(path.EnsureNoLinks);

        Assert.Equal("symlink", error.Reason);
    }

    [Theory]
    [InlineData("reports/2026/q3.csv", "reports/2026/q3.csv")]
    [InlineData("reports//2026///q3.csv", "reports/2026/q3.csv")]
    [InlineData("./reports/./q3.csv", "reports/q3.csv")]
    [InlineData("reports/q3.csv/", "reports/q3.csv")]
    [InlineData("reports/..hidden", "reports/..hidden")]
    [InlineData("reports/100% done.txt", "reports/100% done.txt")]
    [InlineData("données/été.txt", "données/été.txt")]
    public void Ordinary_paths_are_normalised_and_stay_inside(string raw, string expected)
    {
        var path = ManagedPath.Resolve(Root, raw);

        Assert.Equal(expected, path.Relative);
        Assert.StartsWith(Root + Path.DirectorySeparatorChar, path.FullPath, StringComparison.Ordinal);
    }

    private SortedDictionary<string, string> Snapshot() =>
        new(Directory.EnumerateFileSystemEntries(_sandbox, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, p => File.Exists(p) ? File.ReadAllText(p) : "<dir>"), StringComparer.Ordinal);
}
