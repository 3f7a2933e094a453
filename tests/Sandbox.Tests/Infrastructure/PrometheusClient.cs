using System.Net.Http.Json;
using System.Text.Json;

namespace Sandbox.Tests.Infrastructure;

/// <summary>Talks to Prometheus's HTTP API the way a dashboard or an operator would.</summary>
public sealed class PrometheusClient(HttpClient http)
{
    /// <summary>Runs an instant query; fails the test when Prometheus rejects it.</summary>
    public async Task<IReadOnlyList<JsonElement>> QueryAsync(string promql, CancellationToken ct = default)
    {
        using var response = await http.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}", ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        if (!response.IsSuccessStatusCode || body.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus refused '{promql}': {body}");
        }

        return body.GetProperty("data").GetProperty("result").EnumerateArray().ToList();
    }

    public async Task<IReadOnlyList<JsonElement>> ActiveTargetsAsync(CancellationToken ct = default)
    {
        var body = await http.GetFromJsonAsync<JsonElement>("/api/v1/targets?state=active", ct);
        return body.GetProperty("data").GetProperty("activeTargets").EnumerateArray().ToList();
    }

    /// <summary>Every recording and alerting rule Prometheus loaded, with the health of its last evaluation.</summary>
    public async Task<IReadOnlyList<LoadedRule>> RulesAsync(CancellationToken ct = default)
    {
        var body = await http.GetFromJsonAsync<JsonElement>("/api/v1/rules", ct);
        return body.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Select(r => new LoadedRule(r.GetProperty("name").GetString()!, r.GetProperty("health").GetString()!,
                r.TryGetProperty("lastError", out var error) ? error.GetString() : null))
            .ToList();
    }

    /// <summary>The alerts in the given state (<c>firing</c> or <c>pending</c>), by name.</summary>
    public async Task<IReadOnlyList<string>> AlertsAsync(string state, CancellationToken ct = default)
    {
        var body = await http.GetFromJsonAsync<JsonElement>("/api/v1/alerts", ct);
        return body.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Where(a => a.GetProperty("state").GetString() == state)
            .Select(a => a.GetProperty("labels").GetProperty("alertname").GetString()!)
            .ToList();
    }

    /// <summary>Waits until none of <paramref name="alerts"/> is firing or pending: a drill's page must be its own.</summary>
    public Task UntilQuietAsync(IReadOnlyCollection<string> alerts, TimeSpan timeout) =>
        Waits.UntilAsync($"none of {string.Join(", ", alerts)} firing or pending", timeout, async ct =>
        {
            var early = (await AlertsAsync("firing", ct)).Concat(await AlertsAsync("pending", ct)).Intersect(alerts).ToList();
            return (early.Count == 0 ? early : null, $"already firing or pending: {string.Join(", ", early)}");
        });

    /// <summary>Waits until at least one of <paramref name="alerts"/> fires; returns those firing.</summary>
    public Task<List<string>> UntilFiringAsync(IReadOnlyCollection<string> alerts, TimeSpan timeout) =>
        Waits.UntilAsync($"{string.Join(" or ", alerts)} firing", timeout, async ct =>
        {
            var firing = (await AlertsAsync("firing", ct)).Intersect(alerts).ToList();
            return (firing.Count > 0 ? firing : null, $"firing: none of {string.Join(", ", alerts)} yet");
        });

    /// <summary>Waits until none of <paramref name="alerts"/> is firing any more.</summary>
    public Task UntilResolvedAsync(IReadOnlyCollection<string> alerts, TimeSpan timeout) =>
        Waits.UntilAsync($"{string.Join(", ", alerts)} resolved", timeout, async ct =>
        {
            var still = (await AlertsAsync("firing", ct)).Intersect(alerts).ToList();
            return (still.Count == 0 ? still : null, $"still firing: {string.Join(", ", still)}");
        });

    public static string Label(JsonElement series, string name) =>
        series.GetProperty("metric").TryGetProperty(name, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    public static double Value(JsonElement series) =>
        double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record LoadedRule(string Name, string Health, string? LastError);
