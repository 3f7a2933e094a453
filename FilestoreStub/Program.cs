using FilestoreStub.Events;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.AddEventQueues();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
