namespace FilestoreStub.Changes;

/// <summary>The cutover mode of a service , for features that act differently per mode.</summary>
public interface IServiceModes
{
    ValueTask<CutoverMode> ModeAsync(string env, string service);
}
