using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FilestoreStub.Paths;

/// <summary>
/// A path relative to a service's managed root, normalised and proven to stay inside it. Paths are the main attack
/// surface of Filestore, so the rules refuse rather than repair anything ambiguous: no <c>..</c> in any spelling, no
/// absolute paths or drive letters, no backslashes, no percent-encoding, no control characters, bounded lengths,
/// no reserved names, and no symbolic link anywhere between the root and the target.
/// </summary>
public sealed partial record ManagedPath
{
    public const int MaxLength = 1024;
    public const int MaxSegmentLength = 255;

    private ManagedPath(string root, string relative)
    {
        Root = root;
        Relative = relative;
        // Never empty: Normalize refuses a path that names the root itself.
        FullPath = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>The managed root, absolute and without a trailing separator.</summary>
    public string Root { get; }

    /// <summary>The normalised relative path, '/'-separated, no leading or trailing '/'.</summary>
    public string Relative { get; }

    /// <summary>The absolute path on disk, inside <see cref="Root"/>.</summary>
    public string FullPath { get; }

    /// <summary>Normalises <paramref name="raw"/> and resolves it under <paramref name="root"/>; throws <see cref="PathRejectedException"/>.</summary>
    public static ManagedPath Resolve(string root, string? raw)
    {
        var normalizedRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var relative = Normalize(raw);
        var path = new ManagedPath(normalizedRoot, relative);

        // Belt and braces: whatever the rules above missed, the combined path must still be under the root.
        var full = Path.GetFullPath(path.FullPath);
        if (!full.StartsWith(normalizedRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new PathRejectedException("outside-root", $"'{raw}' resolves outside the managed root.");
        }

        path.EnsureNoLinks();
        return path;
    }

    /// <summary>
    /// Checks, component by component from the root, that nothing on the way is a symbolic link (or other reparse
    /// point). Call it again right before using the path: a link planted after <see cref="Resolve"/> is caught then.
    /// </summary>
    public void EnsureNoLinks()
    {
        var current = Root;
        foreach (var segment in Relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, segment);
            // One lstat per segment: a symbolic link (or Windows junction) carries ReparsePoint; -1 means nothing is there.
            var attributes = new FileInfo(current).Attributes;
            if ((int)attributes == -1)
            {
                return;
            }

            if (attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                throw new PathRejectedException("symlink", $"'{Relative}' passes through a symbolic link ('{Path.GetRelativePath(Root, current)}'); links are not followed inside a managed root.");
            }
        }
    }

    /// <summary>The rules on the text alone: returns the normalised relative path or throws.</summary>
    public static string Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new PathRejectedException("empty", "The path is empty.");
        }

        if (raw.Length > MaxLength || Encoding.UTF8.GetByteCount(raw) > MaxLength)
        {
            throw new PathRejectedException("too-long", $"The path is longer than {MaxLength} bytes.");
        }

        if (!IsWellFormedUtf16(raw))
        {
            throw new PathRejectedException("invalid-unicode", "The path is not well-formed Unicode.");
        }

        foreach (var c in raw)
        {
            if (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                throw new PathRejectedException("control-character", "The path contains a control or invisible formatting character.");
            }
        }

        if (raw.Contains('\\', StringComparison.Ordinal))
        {
            throw new PathRejectedException("backslash", "The path contains a backslash; use '/' between segments.");
        }

        if (PercentEncoded().IsMatch(raw))
        {
            throw new PathRejectedException("percent-encoded", "The path contains percent-encoding; send the path itself, not an encoded form.");
        }

        if (raw.StartsWith('/') || raw.StartsWith('~'))
        {
            throw new PathRejectedException("absolute", "The path must be relative to the service's managed root.");
        }

        if (DriveLetter().IsMatch(raw))
        {
            throw new PathRejectedException("drive-letter", "The path must not name a drive.");
        }

        var segments = new List<string>();
        foreach (var segment in raw.Normalize(NormalizationForm.FormC).Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            // ".." in any spelling: compatibility forms ("．．", "‥") become ".." under NFKC, which some tools and file
            // systems apply, and a fullwidth solidus folds to '/' ("．．／" is "../").
            var folded = segment.Normalize(NormalizationForm.FormKC);
            if (folded.Split('/').Contains(".."))
            {
                throw new PathRejectedException("parent-segment", "The path contains a '..' segment.");
            }

            if (folded.Contains('/', StringComparison.Ordinal) || folded.Contains('\\', StringComparison.Ordinal))
            {
                throw new PathRejectedException("parent-segment", "A segment folds into a path separator.");
            }

            if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentLength)
            {
                throw new PathRejectedException("too-long", $"A segment is longer than {MaxSegmentLength} bytes.");
            }

            if (IsReserved(segment))
            {
                throw new PathRejectedException("reserved-name", $"'{segment}' is a reserved name.");
            }

            segments.Add(segment);
        }

        if (segments.Count == 0)
        {
            throw new PathRejectedException("empty", "The path names the root itself.");
        }

        // Dropping "." segments can bring a "~user" or "C:" to the front ("./~x"): judge the result as well.
        var normalized = string.Join('/', segments);
        if (normalized.StartsWith('~'))
        {
            throw new PathRejectedException("absolute", "The path must be relative to the service's managed root.");
        }

        if (DriveLetter().IsMatch(normalized))
        {
            throw new PathRejectedException("drive-letter", "The path must not name a drive.");
        }

        return normalized;
    }

    // Windows device names (with any extension), names ending in '.' or ' ', and the stub's own bookkeeping folder.
    private static bool IsReserved(string segment) =>
        segment.EndsWith('.') || segment.EndsWith(' ') || DeviceName().IsMatch(segment)
        || segment.Equals(ManagedTree.ReservedFolder, StringComparison.OrdinalIgnoreCase);

    private static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex("%[0-9A-Fa-f]{2}")]
    private static partial Regex PercentEncoded();

    [GeneratedRegex("^[A-Za-z]:")]
    private static partial Regex DriveLetter();

    [GeneratedRegex(@"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex DeviceName();
}
