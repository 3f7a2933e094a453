namespace FilestoreStub.Cutover;

/// <summary>The shadow SLIs of a service: how its shadow commands went, and how their plans compared with the disk.</summary>
/// <param name="Success">Shadow commands planned.</param>
/// <param name="Failed">Shadow commands Filestore failed (faults, errors): they count against the success rate.</param>
/// <param name="Rejected">Shadow commands refused as the caller's fault (bad path, policy, conflict): not counted in the rate.</param>
/// <param name="Matched">Changes seen on disk that a shadow plan predicted exactly.</param>
/// <param name="Mismatched">Changes seen on disk at a planned path that differ from the plan.</param>
/// <param name="Unplanned">Changes seen on disk that no shadow plan predicted (the service wrote without telling Filestore).</param>
public sealed record ShadowStats(long Success, long Failed, long Rejected, long Matched, long Mismatched, long Unplanned)
{
    /// <summary>success / (success + failed); null before any command.</summary>
    public double? SuccessRate => Success + Failed == 0 ? null : (double)Success / (Success + Failed);

    /// <summary>matched / everything seen on disk; null while nothing was seen.</summary>
    public double? PlanMatchRate => Matched + Mismatched + Unplanned == 0 ? null : (double)Matched / (Matched + Mismatched + Unplanned);
}
