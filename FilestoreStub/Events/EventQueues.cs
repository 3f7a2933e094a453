using BullMq;

namespace FilestoreStub.Events;

/// <summary>The BullMQ queues Filestore publishes to: one per consumer, every event to both.</summary>
public static class EventQueues
{
    public const string Metastore = "metastore-events";
    public const string Timestore = "timestore-events";

    public static readonly string[] All = [Metastore, Timestore];

    /// <summary>
    /// Wires the queue client: one Redis connection from Aspire's <c>ConnectionStrings:redis</c>, the
    /// <c>bullmq_*</c> gauges for both queues, a health check per queue, and the client's spans and meter in OpenTelemetry.
    /// </summary>
    public static IHostApplicationBuilder AddEventQueues(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<EventQueueOptions>(EventQueueOptions.SectionName);
        var options = builder.Configuration.GetSection(EventQueueOptions.SectionName).Get<EventQueueOptions>() ?? new EventQueueOptions();

        builder.Services.AddBullMq(_ => builder.Configuration.GetConnectionString("redis")
            ?? throw new InvalidOperationException("ConnectionStrings:redis is not set; the AppHost sets it through WithReference(redis)."));
        builder.Services.AddQueueMonitor(All);
        builder.Services.AddSingleton<PublishingSwitch>();
        builder.Services.AddSingleton<EventSequence>();
        builder.Services.AddSingleton<EventPublisher>();
        builder.Services.AddSingleton<EventOutbox>();
        builder.Services.AddSingleton<EventDelivery>();
        builder.Services.AddSingleton<EventReplay>();
        builder.Services.AddSingleton<OutboxRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        var health = builder.Services.AddHealthChecks();
        foreach (var queue in All)
        {
            health.AddQueueHealthCheck(queue, options.BacklogThreshold);
        }

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(QueueTelemetry.Name))
            .WithTracing(tracing => tracing.AddSource(QueueTelemetry.Name));
        return builder;
    }
}
