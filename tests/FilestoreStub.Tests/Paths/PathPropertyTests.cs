using CsCheck;
using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Paths;

public sealed class PathPropertyTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "filestore-property-root");

    // Characters that matter to path handling, mixed with ordinary ones.
    private static readonly Gen<string> Nasty = Gen.String[Gen.Char["./\\~%:0aZé\0\n\u2025\uFF0E\u202E"], 0, 40];
    private static readonly Gen<string> Segment = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-_"], 1, 20];

    [Fact]
    public void Whatever_the_input_a_path_is_refused_or_resolves_inside_the_root() =>
        Gen.OneOf(Nasty, Gen.String).Sample(raw =>
        {
            try
            {
                var path = ManagedPath.Resolve(Root, raw);
                return path.FullPath.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                       && !path.Relative.Split('/').Contains("..");
            }
            catch (PathRejectedException)
            {
                return true;
            }
        }, iter: 20_000);

    [Fact]
    public void Normalising_is_idempotent() =>
        Nasty.Sample(raw =>
        {
            string once;
            try
            {
                once = ManagedPath.Normalize(raw);
            }
            catch (PathRejectedException)
            {
                return true;
            }

            return ManagedPath.Normalize(once) == once;
        }, iter: 20_000);

    [Fact]
    public void Plain_segments_joined_by_slashes_are_kept_as_they_are() =>
        Segment.Array[1, 8].Sample(segments =>
        {
            var raw = string.Join('/', segments);
            return IsDeviceName(segments) || ManagedPath.Normalize(raw) == raw;
        });

    private static bool IsDeviceName(string[] segments) =>
        segments.Any(s => s.Split('.')[0].ToUpperInvariant() is "CON" or "PRN" or "AUX" or "NUL"
                          || (s.Length >= 4 && (s.StartsWith("com", StringComparison.OrdinalIgnoreCase) || s.StartsWith("lpt", StringComparison.OrdinalIgnoreCase)) && char.IsDigit(s[3]) && (s.Length == 4 || s[4] == '.')));
}
