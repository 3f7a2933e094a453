using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Paths;

/// <summary>Unicode at the edges of the path rules: what is well-formed, invisible, or folds into a separator.</summary>
public sealed class PathUnicodeTests
{
    [Theory]
    [InlineData("photos/\U0001F642.png")]
    [InlineData("\U0001F4C1/\U0001F4C4\U0001F4C4.txt")]
    public void Characters_outside_the_basic_plane_are_allowed(string raw) =>
        Assert.Equal(raw, ManagedPath.Normalize(raw));

    // Attribute arguments are stored as UTF-8, which cannot carry a lone surrogate: these come from code.
    public static TheoryData<string> LoneSurrogates => new() { "reports/ends-high\uD800", "\uD83D", "reports/\uDE42\uD83D.txt" };

    [Theory]
    [MemberData(nameof(LoneSurrogates), DisableDiscoveryEnumeration = true)]
    public void A_surrogate_without_its_partner_is_refused_even_at_the_end(string raw)
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize(raw));

        Assert.Equal("invalid-unicode", error.Reason);
    }

    [Fact]
    public void A_paragraph_separator_is_refused_as_a_control_character()
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize("reports/\u2029.txt"));

        Assert.Equal("control-character", error.Reason);
    }

    [Theory]
    [InlineData("reports/a\uFF0Fb.txt")]
    [InlineData("reports/a\uFF3Cb.txt")]
    public void A_segment_that_folds_into_a_separator_is_refused(string raw)
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize(raw));

        Assert.Equal("parent-segment", error.Reason);
    }

    [Fact]
    public void A_segment_that_folds_into_a_parent_reference_and_a_separator_is_refused()
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize("reports/\uFF0E\uFF0E\uFF0Fsecret.txt"));

        Assert.Equal("parent-segment", error.Reason);
    }

    [Fact]
    public void A_decomposed_accent_is_stored_composed()
    {
        Assert.Equal("caf\u00E9.txt", ManagedPath.Normalize("cafe\u0301.txt"));
    }
}
