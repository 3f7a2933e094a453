using SampleConsumer;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.Services.AddOptions<ConsumerOptions>()
    .BindConfiguration(ConsumerOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
