using FilestoreStub.Changes;

namespace FilestoreStub.Cutover;

/// <summary>What the cutover feature does with drift the watchers saw: in shadow mode, compare it with the plan for its path.</summary>
public sealed class ShadowDriftComparison(CutoverStore cutover, ShadowLedger shadow) : IDriftObserver
{
    public async Task ObserveAsync(string env, string service, Drift drift)
    {
        if (await cutover.ModeAsync(env, service) == CutoverMode.Shadow)
        {
            await shadow.ObserveAsync(env, service, drift);
        }
    }
}
