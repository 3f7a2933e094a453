using System.Text;
using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Paths;

/// <summary>The length limits count UTF-8 bytes, and a path exactly at a limit is still allowed.</summary>
public sealed class PathLengthLimitTests
{
    // Segments of 100 'a' joined by '/' until the text is exactly `bytes` long.
    private static string AsciiPathOf(int bytes)
    {
        var text = new StringBuilder();
        while (text.Length < bytes)
        {
            if (text.Length > 0)
            {
                text.Append('/');
            }

            text.Append('a', Math.Min(100, bytes - text.Length));
        }

        return text.ToString();
    }

    [Fact]
    public void A_path_of_exactly_the_maximum_length_is_allowed()
    {
        var raw = AsciiPathOf(ManagedPath.MaxLength);

        Assert.Equal(raw, ManagedPath.Normalize(raw));
    }

    [Fact]
    public void A_path_one_byte_over_the_maximum_is_refused_as_too_long()
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize(AsciiPathOf(ManagedPath.MaxLength + 1)));

        Assert.Equal("too-long", error.Reason);
    }

    [Fact]
    public void A_path_short_in_characters_but_over_the_limit_in_utf8_bytes_is_refused()
    {
        // 600 two-byte characters in segments of 100: 1 105 bytes, though only 605 characters.
        var raw = string.Join('/', Enumerable.Repeat(new string('é', 100), 6));
        Assert.True(raw.Length <= ManagedPath.MaxLength);

        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize(raw));

        Assert.Equal("too-long", error.Reason);
    }

    [Fact]
    public void A_segment_of_exactly_the_maximum_segment_length_is_allowed()
    {
        var raw = "reports/" + new string('a', ManagedPath.MaxSegmentLength);

        Assert.Equal(raw, ManagedPath.Normalize(raw));
    }

    [Fact]
    public void A_segment_short_in_characters_but_over_the_segment_limit_in_utf8_bytes_is_refused()
    {
        // 128 two-byte characters: 256 bytes in one segment.
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize("reports/" + new string('é', 128)));

        Assert.Equal("too-long", error.Reason);
    }
}
