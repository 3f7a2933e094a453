namespace Sandbox.AppHost;

/// <summary><c>redis-server</c> started from PATH, exposing the same connection string shape as the Redis container.</summary>
public sealed class RedisServerResource(string name, string command, string dataDirectory)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public string DataDirectory { get; } = dataDirectory;

    internal string? ResolvedConnectionString { get; set; }

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
