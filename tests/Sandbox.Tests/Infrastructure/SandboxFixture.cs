using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Runbook.Drills;
using Runbook.Steps;
using Runbook.Targets;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// Starts the whole sandbox once in executables mode (the mode this machine and CI can run) for every test of one
/// collection (<see cref="RunningSandbox"/> and the others below), with its state in a temp folder and every port
/// picked free, so several sandboxes can run side by side.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["filestore", "metastore", "timestore"];
    public static readonly string[] AllResources = ["redis", "filestore", "metastore", "timestore", "prometheus", "queue-board"];

    private readonly TempDirectory _state = new("live");

    public DistributedApplication App { get; private set; } = null!;

    public string StateDirectory => _state.Path;

    public async Task InitializeAsync()
    {
        using var startTimeout = new CancellationTokenSource(Waits.AppStart);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "Sandbox:Runtime=executables",
                $"Sandbox:StateDirectory={_state.Path}",
                "Sandbox:Ports:Prometheus=0",
            ],
            (options, _) => options.DisableDashboard = true,
            startTimeout.Token);

        // Resource logs (every request of every service) would bury the test results; warnings and errors still show.
        // Health checks fail while resources start, as expected; the tests assert the health that matters.
        builder.Services.AddLogging(logging => logging
            .AddFilter("AppHost.Resources", LogLevel.Warning)
            .AddFilter("Aspire", LogLevel.Warning)
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));

        App = await builder.BuildAsync(startTimeout.Token);
        await App.StartAsync(startTimeout.Token);

        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        using var healthyTimeout = new CancellationTokenSource(Waits.ResourceHealthy);
        await Task.WhenAll(AllResources.Select(name => notifications.WaitForResourceHealthyAsync(name, healthyTimeout.Token)));

        // The address book is written just after the last resource turns healthy; the runbook (CLI and library) reads it.
        var addressBook = Path.Combine(StateDirectory, "endpoints.json");
        await Waits.UntilAsync("the sandbox's endpoints.json", Waits.ResourceHealthy, _ =>
            Task.FromResult(File.Exists(addressBook) ? ((object?)addressBook, "written") : (null, $"{addressBook} not written yet")));
    }

    public HttpClient HttpClientFor(string resource)
    {
        var client = App.CreateHttpClient(resource, "http");
        client.Timeout = Waits.Request;
        return client;
    }

    /// <summary>A client of the Filestore API holding the operator token the AppHost generated.</summary>
    public async Task<HttpClient> FilestoreOperatorAsync()
    {
        var token = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "filestore")
            .Annotations.OfType<Sandbox.AppHost.OperatorTokenAnnotation>().Single().Token;
        var client = HttpClientFor("filestore");
        client.DefaultRequestHeaders.Authorization = new("Bearer", await token.GetValueAsync(CancellationToken.None));
        return client;
    }

    /// <summary>A client of a consumer holding the sandbox's operator token, which its stall fault asks for.</summary>
    public async Task<HttpClient> ConsumerAsOperatorAsync(string consumer)
    {
        using var filestore = await FilestoreOperatorAsync();
        var client = HttpClientFor(consumer);
        client.DefaultRequestHeaders.Authorization = filestore.DefaultRequestHeaders.Authorization;
        return client;
    }

    /// <summary>
    /// Waits until the sandbox works again after a test took Redis away: Redis has loaded its data, every service is
    /// Healthy, and Filestore answers a call that needs its store. The tests after it then start from a working sandbox.
    /// </summary>
    public async Task WaitUntilRecoveredAsync()
    {
        using var filestore = await FilestoreOperatorAsync();
        await Waits.UntilAsync("Filestore answering from its store", Waits.ResourceHealthy, async ct =>
        {
            using var services = await filestore.GetAsync("/envs/staging/services", ct);
            return (services.IsSuccessStatusCode ? "ok" : null, $"{(int)services.StatusCode}");
        });
        foreach (var service in Services)
        {
            using var http = HttpClientFor(service);
            await Waits.UntilAsync($"{service} Healthy", Waits.ResourceHealthy, async ct =>
            {
                using var health = await http.GetAsync("/health", ct);
                var body = await health.Content.ReadAsStringAsync(ct);
                return (body.StartsWith("{\"status\":\"Healthy\"", StringComparison.Ordinal) ? body : null, body);
            });
        }
    }

    /// <summary>A client of the Filestore API holding a fresh operator token in a person's name (approvals must name one).</summary>
    public async Task<HttpClient> NamedOperatorAsync(string person)
    {
        using var shared = await FilestoreOperatorAsync();
        using var issued = await shared.PostAsJsonAsync("/access/tokens", new { principal = person, kind = "operator" });
        issued.EnsureSuccessStatusCode();
        var client = HttpClientFor("filestore");
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await issued.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("token").GetString());
        return client;
    }

    /// <summary>A runbook session on this sandbox, as the CLI opens one: the shared operator token unless another is given.</summary>
    public RunbookSession Runbook(string? operatorToken = null, IRunbookObserver? observer = null) =>
        new(RunbookTarget.FromSandbox(StateDirectory, name => name == RunbookTarget.TokenVariable ? operatorToken : null), observer ?? new TextObserver());

    /// <summary>The runbook's drill traffic against staging/reports, cut over first when it is not managed yet.</summary>
    public async Task<DrillTraffic> DrillTrafficAsync(int perSecond = 10)
    {
        await using var session = Runbook();
        return await DrillTraffic.StartAsync(session, DrillScenario.DefaultTarget, perSecond, prepare: true);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            using var stopTimeout = new CancellationTokenSource(Waits.AppStart);
            await App.StopAsync(stopTimeout.Token);
            await App.DisposeAsync();
        }

        _state.Dispose();
    }
}

// Each collection below gets a sandbox of its own, and xunit runs collections side by side (xunit.runner.json). The
// tests of one collection run one after another; most of their time is spent waiting for alerts to page and resolve,
// not computing, so the longest ones have a sandbox each and the run lasts about as long as the longest collection.

/// <summary>The sandbox most live tests share: start-up, rehearsals, dashboards, the CLI, the failure drill, the soak.</summary>
[CollectionDefinition(Name)]
public sealed class RunningSandbox : ICollectionFixture<SandboxFixture>
{
    public const string Name = "Running sandbox";
}

/// <summary>A sandbox whose Redis and Prometheus the tests stop, kill and pause.</summary>
[CollectionDefinition(Name)]
public sealed class OutageSandbox : ICollectionFixture<SandboxFixture>
{
    public const string Name = "Sandbox for outages";
}

/// <summary>A sandbox for the cutover runbook run as written (about three minutes).</summary>
[CollectionDefinition(Name)]
public sealed class RunbookSandbox : ICollectionFixture<SandboxFixture>
{
    public const string Name = "Sandbox for the runbook";
}

/// <summary>A sandbox for the training run as written (about two and a half minutes).</summary>
[CollectionDefinition(Name)]
public sealed class TrainingSandbox : ICollectionFixture<SandboxFixture>
{
    public const string Name = "Sandbox for the training";
}
