namespace FilestoreStub.Queues;

/// <summary>The queue audit.</summary>
public static class QueueServices
{
    public static IHostApplicationBuilder AddQueues(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<QueueAudit>();
        return builder;
    }
}
