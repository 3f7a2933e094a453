namespace FilestoreStub.Changes;

/// <summary>
/// Told of every drift a watcher published. The cutover feature listens (in shadow mode it compares drift with the
/// plans), so the watchers need not know who cares.
/// </summary>
public interface IDriftObserver
{
    Task ObserveAsync(string env, string service, Drift drift);
}
