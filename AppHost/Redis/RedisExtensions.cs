#pragma warning disable ASPIRECERTIFICATES001 // WithoutHttpsCertificate and WithCertificateTrustScope are experimental

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Sandbox.AppHost;

/// <summary>The sandbox's Redis in either mode, and the restart-on-failure that executables mode needs.</summary>
public static class RedisExtensions
{
    // BullMQ refuses to trust a Redis that may evict keys, and a rehearsal must not lose queued events on restart.
    internal static readonly string[] DurabilityArgs = ["--appendonly", "yes", "--maxmemory-policy", "noeviction"];

    /// <summary>Redis for the queues and the consumers' stores: the official container, or <c>redis-server</c> from PATH.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddSandboxRedis(
        this IDistributedApplicationBuilder builder, string name, SandboxSettings sandbox)
    {
        if (sandbox.Runtime == RuntimeMode.Containers)
        {
            return builder.AddRedis(name)
                .WithImage(ContainerImages.Redis, ContainerImages.RedisTag)
                .WithImageRegistry(ContainerImages.Registry)
                .WithDataBindMount(sandbox.EnsureStateFolder("redis", "container-data"))
                .WithArgs(DurabilityArgs)
                // Plain TCP whatever developer certificate the laptop has (Aspire would otherwise switch Redis to TLS):
                // endpoints.json's redis:// address, runbook env's REDIS_URL for redis-cli and executables mode assume it.
                .WithoutHttpsCertificate()
                .WithCertificateTrustScope(CertificateTrustScope.None)
                .WithRestartOnFailure()
                .WithOutageDrill();
        }

        var redisServer = ExecutableLocator.Require(
            "redis-server", "install it with 'sudo apt-get install redis-server' (Debian/Ubuntu) or 'brew install redis' (macOS)");
        var dataDirectory = sandbox.EnsureStateFolder("redis", "data");

        var redis = new RedisServerResource(name, redisServer, dataDirectory);
        var healthCheckKey = $"{name}_ping";
        builder.Services.AddHealthChecks().AddRedis(
            _ => redis.ResolvedConnectionString ?? throw new InvalidOperationException($"{name} has no connection string yet."),
            name: healthCheckKey);

        return builder.AddResource(redis)
            .WithEndpoint(name: RedisServerResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--dir");
                context.Args.Add(dataDirectory);
                foreach (var arg in DurabilityArgs)
                {
                    context.Args.Add(arg);
                }
            })
            .OnConnectionStringAvailable(async (resource, _, ct) =>
                resource.ResolvedConnectionString = await resource.ConnectionStringExpression.GetValueAsync(ct))
            .WithHealthCheck(healthCheckKey)
            .WithRestartOnFailure()
            .WithOutageDrill();
    }

    /// <summary>Starts the resource again when it crashes, with a backoff (<see cref="RestartOnFailureAnnotation"/>).</summary>
    public static IResourceBuilder<T> WithRestartOnFailure<T>(this IResourceBuilder<T> resource) where T : IResource
    {
        resource.ApplicationBuilder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CrashedResourceRestarter>());
        resource.ApplicationBuilder.Services.TryAddSingleton(TimeProvider.System);
        return resource.WithAnnotation(new RestartOnFailureAnnotation());
    }
}
