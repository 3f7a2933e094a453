using BullMq;
using SampleConsumer;
using SampleConsumer.Faults;
using SampleConsumer.Processing;
using SampleConsumer.Stores;
using SampleConsumer.Verification;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddProblemDetails();
builder.Services.AddOptions<ConsumerOptions>()
    .BindConfiguration(ConsumerOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
// The role decides the queue and the store while services are registered; an unknown role fails the binding itself.
var consumer = builder.Configuration.GetSection(ConsumerOptions.SectionName).Get<ConsumerOptions>() ?? new ConsumerOptions();
var role = consumer.Role ?? throw new InvalidOperationException("Consumer:Role must be 'metastore' or 'timestore'.");

builder.Services.AddSingleton(TimeProvider.System);
// The bullmq_* gauges of both queues come from filestore; a second exporter here would double every series.
builder.AddBullMqClient("redis", queues => queues.Queues.Add(consumer.Queue));
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
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(ConsumerMetrics.MeterName));

var app = builder.Build();

app.UseExceptionHandler();
app.MapDefaultEndpoints();
app.MapConsumerEndpoints();

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
