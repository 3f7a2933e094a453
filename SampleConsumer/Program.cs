using BullMq;
using SampleConsumer;
using SampleConsumer.Faults;
using SampleConsumer.Processing;
using SampleConsumer.Stores;
using SampleConsumer.Verification;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// The .NET thread pool rather than the client's dedicated one: on small machines its spinning threads cost more than they save.
builder.AddRedisClient("redis", configureOptions: options => options.SocketManager = SocketManager.ThreadPool);
builder.Services.AddProblemDetails();
builder.Services.AddOptions<ConsumerOptions>()
    .BindConfiguration(ConsumerOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
// The role decides the queue and the store while services are registered; an unknown role fails the binding itself.
var consumer = builder.Configuration.GetSection(ConsumerOptions.SectionName).Get<ConsumerOptions>() ?? new ConsumerOptions();
var role = consumer.Role ?? throw new InvalidOperationException("Consumer:Role must be 'metastore' or 'timestore'.");

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddBullMq(_ => builder.Configuration.GetConnectionString("redis")
    ?? throw new InvalidOperationException("ConnectionStrings:redis is not set; the AppHost sets it through WithReference(redis)."));
// The bullmq_* gauges of both queues come from filestore; a second exporter here would double every series.
builder.Services.AddHealthChecks().AddQueueHealthCheck(consumer.Queue, backlogThreshold: 10_000);
builder.Services.AddSingleton<IConsumerStore>(sp => role switch
{
    ConsumerRole.Metastore => new Metastore(sp.GetRequiredService<IConnectionMultiplexer>()),
    ConsumerRole.Timestore => new Timestore(sp.GetRequiredService<IConnectionMultiplexer>()),
});

builder.Services.AddSingleton<ConsumerMetrics>();
builder.Services.AddSingleton<Stall>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<Stall>());
builder.Services.AddSingleton<ConsistencyCheck>();
builder.Services.AddHostedService<EventConsumer>();
builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter(ConsumerMetrics.MeterName, QueueTelemetry.Name))
    .WithTracing(tracing => tracing.AddSource(QueueTelemetry.Name));

var app = builder.Build();

app.UseExceptionHandler();
app.MapDefaultEndpoints();
app.MapConsumerEndpoints();

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
