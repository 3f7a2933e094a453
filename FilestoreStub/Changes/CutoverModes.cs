namespace FilestoreStub.Changes;

/// <summary>The cutover modes of docs/architecture.md, The domain.</summary>
public static class CutoverModes
{
    public const string Manual = "manual";
    public const string Shadow = "shadow";
    public const string Managed = "managed";

    public static readonly IReadOnlyList<string> All = [Manual, Shadow, Managed];
}
