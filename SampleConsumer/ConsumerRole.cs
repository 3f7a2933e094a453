namespace SampleConsumer;

/// <summary>
/// The two roles of this one project: Metastore keeps each path's latest metadata, Timestore every version. Read from
/// <c>Consumer:Role</c> by name (<c>metastore</c> or <c>timestore</c>).
/// </summary>
public enum ConsumerRole
{
    Metastore,
    Timestore,
}

public static class ConsumerRoles
{
    /// <summary>The role's name in queue names, Redis keys, metric labels and reports.</summary>
    public static string Name(this ConsumerRole role) => role switch
    {
        ConsumerRole.Metastore => "metastore",
        ConsumerRole.Timestore => "timestore",
    };
}
