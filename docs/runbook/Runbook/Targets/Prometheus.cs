using System.Globalization;

namespace Runbook.Targets;

/// <summary>An alert as Prometheus holds it now.</summary>
public sealed record ActiveAlert(string Name, string State, string Severity, IReadOnlyDictionary<string, string> Labels, DateTimeOffset? ActiveAt)
{
    /// <summary>The labels that say where: env, service, consumer, queue, slo (those present).</summary>
    public string Where => string.Join(", ", Labels.Where(l => l.Key is "env" or "service" or "consumer" or "queue" or "slo").Select(l => $"{l.Key}={l.Value}"));
}

/// <summary>The sandbox's or environment's Prometheus, for the go/no-go queries and the alert states the runbook checks.</summary>
public sealed class Prometheus(ServiceApi api)
{
    public Uri Address => api.BaseAddress;

    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql, CancellationToken ct = default)
    {
        var body = await api.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}", ct);
        return body.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(s => ((IReadOnlyDictionary<string, string>)s.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty),
                Number(s.GetProperty("value")[1].GetString()!)))
            .ToList();
    }

    // Prometheus writes +Inf, -Inf and NaN as words; .NET's parser knows them by other names.
    private static double Number(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    /// <summary>One number: the value of the query's only series, or null when it has none.</summary>
    public async Task<double?> ScalarAsync(string promql, CancellationToken ct = default) =>
        (await QueryAsync(promql, ct)) is [var only] ? only.Value : null;

    public async Task<IReadOnlyList<ActiveAlert>> AlertsAsync(CancellationToken ct = default)
    {
        var body = await api.GetAsync("/api/v1/alerts", ct);
        return body.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a =>
        {
            var labels = a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);
            DateTimeOffset? since = a.TryGetProperty("activeAt", out var at) && DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, out var t) ? t : null;
            return new ActiveAlert(labels["alertname"], a.GetProperty("state").GetString()!, labels.GetValueOrDefault("severity", "none"), labels, since);
        }).ToList();
    }

    public async Task<IReadOnlyList<ActiveAlert>> FiringAsync(CancellationToken ct = default) =>
        (await AlertsAsync(ct)).Where(a => a.State == "firing").ToList();

    /// <summary>Deletes the series matching the selectors and frees their space (the admin API, which the sandbox enables).</summary>
    public async Task DeleteSeriesAsync(IEnumerable<string> selectors, CancellationToken ct = default)
    {
        var query = string.Join('&', selectors.Select(s => $"match[]={Uri.EscapeDataString(s)}"));
        foreach (var path in new[] { $"/api/v1/admin/tsdb/delete_series?{query}", "/api/v1/admin/tsdb/clean_tombstones" })
        {
            var answer = await api.SendAsync(HttpMethod.Post, path, ct: ct);
            if (!answer.Succeeded)
            {
                throw new CheckFailedException($"Prometheus refused {path.Split('?')[0]}: {(int)answer.Status} {answer.Detail} (is --web.enable-admin-api set?)");
            }
        }
    }

    /// <summary>Where a person looks at alerts: Debian's Prometheus 2 serves only the classic pages, Prometheus 3 only the new ones.</summary>
    public async Task<string> AlertsPageAsync(CancellationToken ct = default)
    {
        var info = await api.GetAsync("/api/v1/status/buildinfo", ct);
        var version = info.GetProperty("data").GetProperty("version").GetString() ?? "2";
        return new Uri(Address, version.StartsWith('2') ? "/classic/alerts" : "/alerts").ToString();
    }
}
