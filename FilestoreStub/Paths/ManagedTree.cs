using System.Security.Cryptography;

namespace FilestoreStub.Paths;

/// <summary>Walking the files of a managed root the way every feature must: no links followed, the work folder left out.</summary>
public static class ManagedTree
{
    /// <summary>The stub's own folder inside each root (temporary files of puts); a reserved name, never managed.</summary>
    public const string WorkFolder = ".filestore";

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
            if (relative != WorkFolder && !relative.StartsWith(WorkFolder + "/", StringComparison.Ordinal))
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
