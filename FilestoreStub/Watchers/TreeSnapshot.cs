using FilestoreStub.Changes;
using FilestoreStub.Events;
using FilestoreStub.Paths;

namespace FilestoreStub.Watchers;

/// <summary>
/// The files of a managed root at one moment, and the differences between two such moments: created, modified,
/// deleted, and renamed (a file gone and a file come with the same content in one scan). Links are not followed
/// and the reserved <c>.filestore</c> name is not part of the tree.
/// </summary>
public sealed class TreeSnapshot
{
    private TreeSnapshot(IReadOnlyDictionary<string, FileState> files) => Files = files;

    public IReadOnlyDictionary<string, FileState> Files { get; }

    /// <summary>Scans <paramref name="root"/>; unchanged files (same size and time as in <paramref name="previous"/>) are not hashed again.</summary>
    public static TreeSnapshot Scan(string root, TreeSnapshot? previous = null)
    {
        var files = new Dictionary<string, FileState>(StringComparer.Ordinal);
        foreach (var (relative, file) in ManagedTree.Files(root))
        {
            try
            {
                var info = new FileInfo(file);
                var known = previous?.Files.GetValueOrDefault(relative);
                files[relative] = known is not null && known.Size == info.Length && known.ModifiedUtc == info.LastWriteTimeUtc
                    ? known
                    : new FileState(info.Length, info.LastWriteTimeUtc, ManagedTree.Sha256(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone or locked between listing and reading: the next scan sees it as it settles.
            }
        }

        return new TreeSnapshot(files);
    }

    /// <summary>What changed from this snapshot to <paramref name="next"/>.</summary>
    public IReadOnlyList<Drift> Compare(TreeSnapshot next)
    {
        var gone = Files.Keys.Where(p => !next.Files.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        var come = next.Files.Keys.Where(p => !Files.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        var drifts = new List<Drift>();

        foreach (var path in come.ToList())
        {
            var state = next.Files[path];
            var from = gone.FirstOrDefault(g => Files[g].Sha256 == state.Sha256 && Files[g].Size == state.Size);
            if (from is not null)
            {
                gone.Remove(from);
                come.Remove(path);
                drifts.Add(new Drift(EventKinds.Renamed, path, state, from));
            }
        }

        drifts.AddRange(come.Select(path => new Drift(EventKinds.Created, path, next.Files[path])));
        drifts.AddRange(next.Files
            .Where(f => Files.TryGetValue(f.Key, out var before) && before.Sha256 != f.Value.Sha256)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new Drift(EventKinds.Modified, f.Key, f.Value)));
        drifts.AddRange(gone.Select(path => new Drift(EventKinds.Deleted, path, null)));
        return drifts;
    }
}
