using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sandbox.AppHost;

/// <summary>
/// The actions a trainer clicks most, as commands in the Aspire dashboard: on the <c>filestore</c> resource (they act
/// on every onboarded service in both environments, except the drift storm, which targets staging/billing) and on
/// each consumer (the stall fault). Each calls the service's own HTTP API, so a click and a <c>curl</c> take the same path.
/// </summary>
public static class DashboardCommands
{
    private static readonly string[] Environments = ["staging", "production"];

    /// <summary>Drill faults a trainer can switch on with one click each; "Clear faults" ends them all.</summary>
    private static readonly object FailurePreset = new { commandFailureRate = 0.1 };
    private static readonly object LatencyPreset = new { addedLatencyMs = 500 };
    private static readonly object DriftStormPreset = new { driftStorm = new { env = "staging", service = "billing", changesPerSecond = 20 } };

    public static IResourceBuilder<ProjectResource> WithOperatorCommands(this IResourceBuilder<ProjectResource> filestore)
    {
        var token = filestore.ApplicationBuilder.Resources.OfType<ParameterResource>()
            .Single(p => p.Name == filestore.Resource.Name + ServiceExtensions.OperatorTokenSuffix);
        var api = new ServiceApi(filestore.GetEndpoint("http"), token);

        return filestore
            .Command("enable-watchers", "Enable drift watchers", "Eye", "Turns on the drift watcher of every service in both environments.",
                ct => api.ForEveryServiceAsync("PUT", "watcher", new { enabled = true }, ct))
            .Command("disable-watchers", "Disable drift watchers", "EyeOff", "Turns off every drift watcher.",
                ct => api.ForEveryServiceAsync("PUT", "watcher", new { enabled = false }, ct))
            .Command("pause-publishing", "Pause publishing", "Pause", "Stops publishing events of every service; commands and seeding are refused until resumed.",
                ct => api.ForEveryServiceAsync("PUT", "publishing", new { enabled = false }, ct))
            .Command("resume-publishing", "Resume publishing", "Play", "Publishes events of every service again; watchers catch up on what they held.",
                ct => api.ForEveryServiceAsync("PUT", "publishing", new { enabled = true }, ct))
            .Command("seed-all", "Seed all services", "ArrowSync", "Publishes one seed event per file of every service (idempotent).",
                ct => api.ForEveryServiceAsync("POST", "seed", null, ct))
            .Command("inject-command-failures", "Inject command failures (10 %)", "ErrorCircle", "Fails one command in ten, on purpose.",
                ct => api.AddFaultsAsync(FailurePreset, ct))
            .Command("inject-latency", "Inject latency (500 ms)", "Timer", "Adds 500 ms to every command.",
                ct => api.AddFaultsAsync(LatencyPreset, ct))
            .Command("start-drift-storm", "Start drift storm (staging/billing)", "WeatherThunderstorm", "Writes 20 out-of-band changes a second under staging/billing.",
                ct => api.AddFaultsAsync(DriftStormPreset, ct))
            .Command("clear-faults", "Clear faults", "Checkmark", "Ends every injected fault.",
                ct => api.SendAsync("DELETE", "/faults", null, ct));
    }

    /// <summary>The consumer's stall fault: stop applying for a minute, slow down, or clear.</summary>
    public static IResourceBuilder<ProjectResource> WithStallCommands(this IResourceBuilder<ProjectResource> consumer)
    {
        var api = new ServiceApi(consumer.GetEndpoint("http"), token: null);
        return consumer
            .Command("stall", "Stall for 60 s", "PauseCircle", "Stops applying events for 60 s; the reconciliation lag rises.",
                ct => api.SendAsync("PUT", "/stall", new { pauseSeconds = 60 }, ct))
            .Command("slow-down", "Slow down (200 ms per event)", "Hourglass", "Waits 200 ms before applying each event.",
                ct => api.SendAsync("PUT", "/stall", new { delayMs = 200 }, ct))
            .Command("clear-stall", "Clear stall", "Checkmark", "Applies events at full speed again.",
                ct => api.SendAsync("DELETE", "/stall", null, ct));
    }

    private static IResourceBuilder<ProjectResource> Command(
        this IResourceBuilder<ProjectResource> filestore, string name, string displayName, string icon, string description, Func<CancellationToken, Task<string>> run) =>
        filestore.WithCommand(name, displayName, async context =>
        {
            try
            {
                return CommandResults.Success(await run(context.CancellationToken));
            }
            catch (Exception e) when (e is HttpRequestException or ServiceApiException)
            {
                return CommandResults.Failure(e.Message);
            }
        }, new CommandOptions
        {
            Description = description,
            IconName = icon,
            // The API answers only once the stub is healthy; until then the command is greyed out.
            UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });

    private sealed class ServiceApiException(string message) : Exception(message);

    /// <summary>A service's HTTP API from inside the AppHost, with the operator token when it needs one.</summary>
    private sealed class ServiceApi(EndpointReference endpoint, ParameterResource? token)
    {
        private async Task<HttpClient> ClientAsync(CancellationToken ct)
        {
            var client = new HttpClient { BaseAddress = new Uri(endpoint.Url), Timeout = TimeSpan.FromSeconds(60) };
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await token.GetValueAsync(ct));
            }

            return client;
        }

        public async Task<string> SendAsync(string method, string path, object? body, CancellationToken ct)
        {
            using var client = await ClientAsync(ct);
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                var detail = text.StartsWith('{') && JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var d) ? d.GetString() : text;
                throw new ServiceApiException($"{method} {path}: {(int)response.StatusCode} {detail}");
            }

            return $"{method} {path}: {(int)response.StatusCode}";
        }

        public async Task<string> ForEveryServiceAsync(string method, string route, object? body, CancellationToken ct)
        {
            using var client = await ClientAsync(ct);
            var done = new List<string>();
            foreach (var env in Environments)
            {
                var services = await client.GetFromJsonAsync<JsonElement>($"/envs/{env}/services", ct);
                foreach (var service in services.EnumerateArray().Select(s => s.GetProperty("service").GetString()))
                {
                    await SendAsync(method, $"/envs/{env}/services/{service}/{route}", body, ct);
                    done.Add($"{env}/{service}");
                }
            }

            return $"{method} {route} for {string.Join(", ", done)}";
        }

        // Faults are set as a whole; a preset is added to those already active, so clicks combine.
        public async Task<string> AddFaultsAsync(object preset, CancellationToken ct)
        {
            using var client = await ClientAsync(ct);
            var current = await client.GetFromJsonAsync<Dictionary<string, JsonElement>>("/faults", ct) ?? [];
            current.Remove("any");
            foreach (var (key, value) in JsonSerializer.SerializeToElement(preset).EnumerateObject().Select(p => (p.Name, p.Value)))
            {
                current[key] = value;
            }

            return await SendAsync("PUT", "/faults", current.Where(f => f.Value.ValueKind != JsonValueKind.Null).ToDictionary(), ct);
        }
    }
}
