using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace BullMq;

/// <summary>The queue client as an Aspire client integration: one call wires everything a service needs.</summary>
public static class BullMqClientExtensions
{
    /// <summary>
    /// Connects to the Redis of <c>ConnectionStrings:&lt;connectionName&gt;</c> through Aspire's Redis client (so the
    /// connection has its tracing and its <c>redis</c> health check, and the service shares it for its own keys),
    /// and adds the <see cref="QueueConnection"/>, <see cref="QueueProducer"/> and <see cref="QueueDrain"/> over it,
    /// a health check per queue, the <c>bullmq_*</c> gauges when asked, and the client's spans and meter.
    /// </summary>
    public static IHostApplicationBuilder AddBullMqClient(this IHostApplicationBuilder builder, string connectionName, Action<BullMqSettings>? configure = null)
    {
        var settings = new BullMqSettings();
        builder.Configuration.GetSection(BullMqSettings.SectionName).Bind(settings);
        configure?.Invoke(settings);
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set; the AppHost sets it through WithReference.");

        // Redis spans come from OpenTelemetry's own instrumentation, not the copy built into Aspire's client: with Aspire's,
        // a burst of 100,000 requests (unknown tokens, one Redis read each) left the stub 126 MB larger, the requests'
        // profiled commands kept long enough to reach the heap's oldest generation; with this one, 15 MB (docs/performance.md).
        builder.AddRedisClient(connectionName, settings => settings.DisableTracing = true, QueueConnection.Configure);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => QueueConnection.Over(sp.GetRequiredService<IConnectionMultiplexer>(), connectionString));
        builder.Services.AddSingleton(sp => new QueueProducer(sp.GetRequiredService<QueueConnection>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new QueueDrain(sp.GetRequiredService<QueueConnection>(), sp.GetRequiredService<TimeProvider>()));

        var health = builder.Services.AddHealthChecks();
        foreach (var queue in settings.Queues)
        {
            health.Add(new HealthCheckRegistration(
                $"queue:{queue}",
                sp => new QueueHealthCheck(sp.GetRequiredService<QueueConnection>(), queue, settings.BacklogThreshold),
                failureStatus: HealthStatus.Unhealthy,
                tags: ["queue"]));
        }

        if (settings.Monitor)
        {
            var queues = settings.Queues.ToArray();
            builder.Services.AddMetrics();
            builder.Services.AddSingleton(sp => new QueueMonitor(
                sp.GetRequiredService<QueueConnection>(), queues, sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
                time: sp.GetRequiredService<TimeProvider>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueMonitor>());
        }

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(QueueTelemetry.Name))
            .WithTracing(tracing => tracing.AddSource(QueueTelemetry.Name).AddRedisInstrumentation());
        return builder;
    }
}
