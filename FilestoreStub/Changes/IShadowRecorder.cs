namespace FilestoreStub.Changes;

/// <summary>
/// Where shadow mode's commands are recorded: each counted by outcome, and a planned one's plan kept to be compared
/// with what then happens on disk. The cutover feature keeps the record; the command path only reports to it.
/// </summary>
public interface IShadowRecorder
{
    Task RecordAsync(string env, string service, string outcome, ShadowPlan? plan);
}
