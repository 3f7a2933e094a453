using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BullMq;

/// <summary>Registers the client in a service's container.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="QueueConnection"/> for the service (from a StackExchange.Redis configuration string, such
    /// as Aspire's <c>ConnectionStrings:redis</c>), a <see cref="QueueProducer"/> and the <see cref="QueueDrain"/>.
    /// </summary>
    public static IServiceCollection AddBullMq(this IServiceCollection services, Func<IServiceProvider, string> configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => QueueConnection.Create(configuration(sp)));
        services.TryAddSingleton(sp => new QueueProducer(sp.GetRequiredService<QueueConnection>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new QueueDrain(sp.GetRequiredService<QueueConnection>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Reads <paramref name="queues"/> every two seconds and publishes the <c>bullmq_*</c> gauges.</summary>
    public static IServiceCollection AddQueueMonitor(this IServiceCollection services, params string[] queues)
    {
        services.AddMetrics();
        services.AddSingleton(sp => new QueueMonitor(
            sp.GetRequiredService<QueueConnection>(), queues, sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            time: sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<QueueMonitor>());
        return services;
    }

    /// <summary>A health check named <c>queue:&lt;queue&gt;</c>; see <see cref="QueueHealthCheck"/>.</summary>
    public static IHealthChecksBuilder AddQueueHealthCheck(this IHealthChecksBuilder builder, string queue, long backlogThreshold) =>
        builder.Add(new HealthCheckRegistration(
            $"queue:{queue}",
            sp => new QueueHealthCheck(sp.GetRequiredService<QueueConnection>(), queue, backlogThreshold),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["queue"]));
}
