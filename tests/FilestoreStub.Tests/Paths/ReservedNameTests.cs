using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Paths;

/// <summary>Reserved names are refused as whole segments only: a name that merely contains one is ordinary.</summary>
public sealed class ReservedNameTests
{
    [Theory]
    [InlineData("aux")]
    [InlineData("reports/Prn.txt")]
    [InlineData("reports/nul.tar.gz")]
    [InlineData("reports/COM\u00B9")]
    [InlineData("reports/lpt\u00B3.log")]
    [InlineData("reports/com0")]
    [InlineData(".FileStore/tmp")]
    [InlineData("reports/.filestore")]
    public void A_device_name_with_any_extension_or_the_work_folder_in_any_case_is_refused(string raw)
    {
        var error = Assert.Throws<PathRejectedException>(() => ManagedPath.Normalize(raw));

        Assert.Equal("reserved-name", error.Reason);
    }

    [Theory]
    [InlineData("reports/console.txt")]
    [InlineData("reports/my-con")]
    [InlineData("reports/con-2026.txt")]
    [InlineData("reports/com10")]
    [InlineData("reports/lpt")]
    [InlineData("reports/auxiliary")]
    [InlineData("reports/nul_")]
    [InlineData("reports/.filestore-old")]
    [InlineData("reports/my.filestore")]
    public void A_name_that_only_contains_a_reserved_name_is_allowed(string raw) =>
        Assert.Equal(raw, ManagedPath.Normalize(raw));
}
