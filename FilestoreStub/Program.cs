using FilestoreStub;
using FilestoreStub.Access;
using FilestoreStub.Commands;
using FilestoreStub.Cutover;
using FilestoreStub.Events;
using FilestoreStub.Faults;
using FilestoreStub.Policies;
using FilestoreStub.Queues;
using FilestoreStub.Roots;
using FilestoreStub.Seeding;
using FilestoreStub.Watchers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.Describe);
builder.Services.AddSingleton(TimeProvider.System);
builder.AddApiReference();
builder.AddEventQueues();
builder.AddQueues();
builder.AddManagedRoots();
builder.Services.AddSingleton<Seeder>();
builder.AddAccess();
builder.AddPolicies();
builder.AddCutover();
builder.AddDriftWatchers();
builder.AddFaults();
builder.AddCommands();
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(FilestoreTelemetry.MeterName));

var app = builder.Build();

app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = Problems.StatusFor,
    // Redis out of reach is an outage, not a bug: Problems.Describe logs one warning line per call instead of an error
    // with a 50-line stack trace (a minute of drill traffic without Redis wrote thousands of them).
    SuppressDiagnosticsCallback = context => Problems.IsStoreUnavailable(context.Exception),
});
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapApiReference();
app.MapAccessEndpoints();
app.MapPolicyEndpoints();
app.MapCutoverEndpoints();
app.MapCommandEndpoints().WithInjectedFaults();
app.MapSeedingEndpoints();
app.MapWatcherEndpoints();
app.MapFaultEndpoints();
app.MapEventEndpoints();
app.MapQueueEndpoints();

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
