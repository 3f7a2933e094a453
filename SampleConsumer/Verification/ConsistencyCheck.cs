using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SampleConsumer.Stores;

namespace SampleConsumer.Verification;

/// <summary>
/// One difference between the store and the disk: <c>missing</c> (on disk, not in the store), <c>extra</c> (in the
/// store, not on disk) or <c>different</c> (size or hash).
/// </summary>
public sealed record Mismatch(string Path, string Problem, FileView? Disk, FileView? Store);

public sealed record ConsistencyReport(
    string Consumer, string Env, string Service, DateTimeOffset CheckedAt, int FilesOnDisk, int FilesInStore, bool Consistent,
    IReadOnlyList<Mismatch> Mismatches);

/// <summary>
/// Compares what this consumer's store says is in a managed root with the files actually there: every file on disk
/// must be in the store with its size and SHA-256, and nothing else. Links are not followed, and the name Filestore
/// reserves in every root (<c>.filestore</c>) is not part of it.
/// </summary>
public sealed class ConsistencyCheck(IConsumerStore store, TimeProvider time, IOptions<ConsumerOptions> options)
{
    private static readonly EnumerationOptions Walk = new() { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };

    public bool CanCheck => !string.IsNullOrEmpty(options.Value.DataDirectory);

    public async Task<ConsistencyReport> RunAsync(string env, string service)
    {
        var root = Path.Combine(Path.GetFullPath(options.Value.DataDirectory!), env, service);
        var disk = new Dictionary<string, FileView>(StringComparer.Ordinal);
        if (Directory.Exists(root))
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", Walk))
            {
                var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.StartsWith(".filestore/", StringComparison.Ordinal))
                {
                    continue;
                }

                try
                {
                    using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    disk[relative] = new FileView(relative, stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Vanished while walking: it is not on disk.
                }
            }
        }

        var stored = (await store.FilesAsync(env, service)).ToDictionary(f => f.Path, StringComparer.Ordinal);
        var mismatches = new List<Mismatch>();
        foreach (var (path, file) in disk.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (!stored.TryGetValue(path, out var known))
            {
                mismatches.Add(new Mismatch(path, "missing", file, null));
            }
            else if (known.Sha256 != file.Sha256 || known.Size != file.Size)
            {
                mismatches.Add(new Mismatch(path, "different", file, known));
            }
        }

        mismatches.AddRange(stored.Keys.Where(p => !disk.ContainsKey(p)).Order(StringComparer.Ordinal)
            .Select(p => new Mismatch(p, "extra", null, stored[p])));
        return new ConsistencyReport(options.Value.RoleName, env, service, time.GetUtcNow(), disk.Count, stored.Count, mismatches.Count == 0, mismatches);
    }
}
