using BullMq;

namespace FilestoreStub.Events;

/// <summary>The BullMQ queues Filestore publishes to: one per consumer, every event to both.</summary>
public static class EventQueues
{
    public const string Metastore = "metastore-events";
    public const string Timestore = "timestore-events";

    public static readonly string[] All = [Metastore, Timestore];

    /// <summary>
    /// Wires the queue client over Aspire's <c>ConnectionStrings:redis</c> (the connection every feature of the stub
    /// shares), the <c>bullmq_*</c> gauges and a health check for both queues, and the event path's services.
    /// </summary>
    public static IHostApplicationBuilder AddEventQueues(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<EventQueueOptions>(EventQueueOptions.SectionName);
        builder.AddBullMqClient("redis", queues =>
        {
            // Filestore publishes to both queues, so it is the one that exports their gauges.
            queues.Queues.Add(Metastore);
            queues.Queues.Add(Timestore);
            queues.Monitor = true;
        });
        builder.Services.AddSingleton<PublishingSwitch>();
        builder.Services.AddSingleton<EventSequence>();
        builder.Services.AddSingleton<EventPublisher>();
        builder.Services.AddSingleton<EventOutbox>();
        builder.Services.AddSingleton<EventDelivery>();
        builder.Services.AddSingleton<EventReplay>();
        builder.Services.AddSingleton<OutboxRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        return builder;
    }
}
