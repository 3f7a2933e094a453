using System.Text.RegularExpressions;

namespace FilestoreStub.Tests.Architecture;

/// <summary>
/// The stub's feature folders depend on each other in one direction only: a folder that imports another is never
/// imported back by it, directly or through others, so each feature can be read (and changed) starting from what it uses.
/// </summary>
public sealed partial class FeatureFolderTests
{
    [Fact]
    public void No_feature_folder_depends_on_itself_through_others()
    {
        var graph = Dependencies();
        Assert.True(graph.Count >= 10, $"found only {graph.Count} feature folders under {SourceRoot()}");

        var cycles = graph.Keys.Select(folder => CycleFrom(folder, graph)).OfType<string>().Distinct().ToList();

        Assert.True(cycles.Count == 0, "feature folders in a loop: " + string.Join("; ", cycles));
    }

    [Fact]
    public void The_shared_vocabulary_depends_on_no_feature()
    {
        Assert.Empty(Dependencies()["Changes"]);
    }

    [Fact]
    public void A_loop_is_found_when_there_is_one()
    {
        // The check itself, on a made-up graph: Commands -> Cutover -> Watchers -> Commands.
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["Commands"] = ["Cutover"],
            ["Cutover"] = ["Watchers"],
            ["Watchers"] = ["Commands"],
            ["Paths"] = [],
        };

        Assert.Equal("Commands -> Cutover -> Watchers -> Commands", CycleFrom("Commands", graph));
        Assert.Null(CycleFrom("Paths", graph));
    }

    /// <summary>The first loop back to <paramref name="start"/>, as a path, or null.</summary>
    private static string? CycleFrom(string start, IReadOnlyDictionary<string, HashSet<string>> graph)
    {
        var path = new List<string> { start };
        var seen = new HashSet<string>();
        return Walk(start) ? string.Join(" -> ", path) : null;

        bool Walk(string folder)
        {
            foreach (var next in graph.GetValueOrDefault(folder, []).Order(StringComparer.Ordinal))
            {
                path.Add(next);
                if (next == start || (seen.Add(next) && Walk(next)))
                {
                    return true;
                }

                path.RemoveAt(path.Count - 1);
            }

            return false;
        }
    }

    /// <summary>Each feature folder and the other folders its files name, by <c>using</c> or in full.</summary>
    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        var root = SourceRoot();
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(name => name is not ("bin" or "obj" or "Properties") && Directory.GetFiles(Path.Combine(root, name), "*.cs").Length > 0)
            .ToHashSet();
        return folders.ToDictionary(folder => folder, folder => Directory.GetFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => FolderReference().Matches(File.ReadAllText(file)).Select(m => m.Groups["folder"].Value))
            .Where(named => named != folder && folders.Contains(named))
            .ToHashSet());
    }

    private static string SourceRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sandbox.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Sandbox.sln not found above the test binaries."), "FilestoreStub");
    }

    [GeneratedRegex(@"\bFilestoreStub\.(?<folder>[A-Z][A-Za-z]*)\b")]
    private static partial Regex FolderReference();
}
