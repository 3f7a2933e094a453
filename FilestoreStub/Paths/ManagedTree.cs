using System.Security.Cryptography;

namespace FilestoreStub.Paths;

/// <summary>Walking the files of a managed root the way every feature must: no links followed, the reserved folder left out.</summary>
public static class ManagedTree
{
    /// <summary>
    /// A name reserved for Filestore inside every root: no command may create it and no walk includes it. (Temporary
    /// files of puts go to the work folder beside the roots, <c>&lt;DataDirectory&gt;/.work</c>, not here.)
    /// </summary>
    public const string ReservedFolder = ".filestore";

    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = true,
    };

    /// <summary>Every managed file under <paramref name="root"/>: its '/'-separated relative path and its full path.</summary>
    public static IEnumerable<(string Relative, string FullPath)> Files(string root)
    {
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(root, "*", Walk))
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative != ReservedFolder && !relative.StartsWith(ReservedFolder + "/", StringComparison.Ordinal))
            {
                yield return (relative, file);
            }
        }
    }

    /// <summary>The hex SHA-256 of a file's content; reading does not block the service writing or deleting it.</summary>
    public static string Sha256(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
