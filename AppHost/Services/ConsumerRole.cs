namespace Sandbox.AppHost;

/// <summary>The two roles SampleConsumer plays; the value is what the consumer reads from <c>Consumer:Role</c>.</summary>
public enum ConsumerRole
{
    Metastore,
    Timestore,
}
