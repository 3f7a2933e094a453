namespace FilestoreStub.Events;

/// <summary>Where a change came from.</summary>
public static class EventSources
{
    public const string Command = "command";
    public const string Drift = "drift";
    public const string Seed = "seed";
}
