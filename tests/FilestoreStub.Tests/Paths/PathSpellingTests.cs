using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Paths;

/// <summary>
/// Percent-encoding and drive letters are refused wherever they are spelt that way, in either case; a colon or a
/// percent sign that is neither stays an ordinary character.
/// </summary>
public sealed class PathSpellingTests
{
    [Theory]
    [InlineData("%2E%2E/secret.txt")]
    [InlineData("reports/%2Fetc")]
    [InlineData("reports/a%3Ab")]
    [InlineData("reports/%7e")]
    public void Percent_encoding_in_upper_or_lower_case_anywhere_is_refused(string raw)
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize(raw));

        Assert.Equal("percent-encoded", error.Reason);
    }

    [Theory]
    [InlineData("reports/50%.txt")]
    [InlineData("reports/%g1.txt")]
    [InlineData("reports/%2")]
    [InlineData("reports/a%.b%")]
    public void A_percent_sign_not_followed_by_two_hex_digits_is_ordinary(string raw) =>
        Assert.Equal(raw, ManagedPath.Normalize(raw));

    // "C:." alone would be a reserved name (a trailing dot): the drive letter is judged on the text first.
    [Theory]
    [InlineData("Z:")]
    [InlineData("z:/data")]
    [InlineData("C:./x")]
    [InlineData("c:..")]
    public void A_drive_letter_in_either_case_is_refused(string raw)
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize(raw));

        Assert.Equal("drive-letter", error.Reason);
    }

    [Theory]
    [InlineData("reports/10:30.txt")]
    [InlineData("ab:c/d.txt")]
    [InlineData("1:/d.txt")]
    public void A_colon_that_does_not_follow_a_leading_letter_is_ordinary(string raw) =>
        Assert.Equal(raw, ManagedPath.Normalize(raw));

    [Fact]
    public void A_tilde_inside_a_path_is_ordinary()
    {
        Assert.Equal("reports/~draft.txt", ManagedPath.Normalize("reports/~draft.txt"));
    }
}
