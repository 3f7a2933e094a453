using FilestoreStub;
using FilestoreStub.Access;
using FilestoreStub.Events;
using FilestoreStub.Policies;
using FilestoreStub.Roots;
using FilestoreStub.Seeding;
using FilestoreStub.Watchers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.Describe);
builder.Services.AddSingleton(TimeProvider.System);
builder.AddEventQueues();
builder.AddManagedRoots();
builder.Services.AddSingleton<Seeder>();
builder.AddAccess();
builder.AddPolicies();
builder.AddDriftWatchers();
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(FilestoreTelemetry.MeterName));

var app = builder.Build();

app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = Problems.StatusFor });
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapAccessEndpoints();
app.MapPolicyEndpoints();
app.MapSeedingEndpoints();
app.MapWatcherEndpoints();

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
