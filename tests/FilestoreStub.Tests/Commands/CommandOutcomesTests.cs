using FilestoreStub.Commands;

namespace FilestoreStub.Tests.Commands;

/// <summary>The outcome label of <c>filestore_commands_total</c>: the caller's fault is rejected, Filestore's is failed.</summary>
public sealed class CommandOutcomesTests
{
    [Theory]
    [InlineData(200, "success")]
    [InlineData(202, "success")]
    [InlineData(399, "success")]
    [InlineData(400, "rejected")]
    [InlineData(409, "rejected")]
    [InlineData(499, "rejected")]
    [InlineData(500, "failed")]
    [InlineData(503, "failed")]
    public void A_status_maps_to_its_outcome_at_the_boundaries(int status, string outcome) => Assert.Equal(outcome, CommandOutcomes.Of(status));
}
