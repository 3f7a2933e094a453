namespace FilestoreStub.Changes;

/// <summary>
/// Where Filestore announces the changes it is about to make under a root, before it makes them, so they are not taken
/// for drift; an announced change that does not happen (the command failed) is withdrawn. The drift watchers listen.
/// </summary>
public interface IExpectedChanges
{
    void Expect(string env, string service, IReadOnlyList<ExpectedChange> changes);

    void Withdraw(string env, string service, IReadOnlyList<ExpectedChange> changes);
}
