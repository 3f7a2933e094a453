namespace FilestoreStub.Changes;

/// <summary>The cutover mode of a service (one of <see cref="CutoverModes"/>), for features that act differently per mode.</summary>
public interface IServiceModes
{
    ValueTask<string> ModeAsync(string env, string service);
}
