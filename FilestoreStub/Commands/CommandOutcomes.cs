namespace FilestoreStub.Commands;

/// <summary>The command outcomes of the metric contract (docs/metrics.md, The contract): <c>rejected</c> is the caller's fault, <c>failed</c> is Filestore's.</summary>
public static class CommandOutcomes
{
    public const string Success = "success";
    public const string Rejected = "rejected";
    public const string Failed = "failed";

    public static string Of(int status) => status switch
    {
        < 400 => Success,
        < 500 => Rejected,
        _ => Failed,
    };
}
