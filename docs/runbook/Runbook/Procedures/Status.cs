using System.Text.Json;
using Runbook.Steps;
using Runbook.Targets;

namespace Runbook.Procedures;

/// <summary>Where a service stands in one environment.</summary>
public sealed record ServiceStatus(string Env, string Service, string Mode, bool WatcherEnabled, bool PublishingPaused);

/// <summary>A component's address and what its health check says (<c>Healthy</c>, <c>Degraded</c>, <c>Unhealthy</c>, <c>unreachable</c>).</summary>
public sealed record ComponentHealth(string Name, string Url, string Health);

/// <summary>The share of an SLO's error budget left (negative when overspent).</summary>
public sealed record SloBudget(string Slo, double Remaining);

/// <summary>One look at the whole target: health, every service's mode, the queues, the alerts and the budgets.</summary>
public sealed record StatusReport(
    string Target,
    IReadOnlyList<ComponentHealth> Components,
    IReadOnlyList<ServiceStatus> Services,
    IReadOnlyList<QueueState> Queues,
    IReadOnlyList<ActiveAlert> Firing,
    IReadOnlyList<SloBudget> Budgets,
    string? AlertsPage,
    IReadOnlyList<string> Problems)
{
    /// <summary>True when something needs a person: a component not healthy, a page firing, a budget spent, monitoring missing.</summary>
    public bool NeedsAttention => Problems.Count > 0;
}

public static class Status
{
    public static readonly string[] Environments = ["staging", "production"];

    /// <summary>Reads everything it can; what cannot be read is listed as a problem instead of stopping the look.</summary>
    public static async Task<StatusReport> ReadAsync(RunbookSession session, CancellationToken ct = default)
    {
        await session.WhoAmIAsync(ct);
        var problems = new List<string>();
        var components = new List<ComponentHealth>();
        foreach (var api in new[] { session.Filestore }.Concat(RunbookTarget.Consumers.Select(session.Consumer)))
        {
            var health = await HealthAsync(api, ct);
            components.Add(new ComponentHealth(api.Name, api.BaseAddress.ToString(), health));
            if (health != HealthAnswer.Healthy)
            {
                problems.Add($"{api.Name} is {health}");
            }
        }

        var services = new List<ServiceStatus>();
        foreach (var env in Environments)
        {
            foreach (var s in (await session.Filestore.GetAsync($"/envs/{env}/services", ct)).EnumerateArray())
            {
                services.Add(new ServiceStatus(env, s.GetProperty("service").GetString()!, s.GetProperty("mode").GetString()!,
                    s.GetProperty("watcherEnabled").GetBoolean(), s.GetProperty("publishingPaused").GetBoolean()));
            }
        }

        IReadOnlyList<QueueState> queues = [];
        if (session.Target.Redis is not null)
        {
            try
            {
                queues = await session.RequireQueues().ReadAllAsync();
                problems.AddRange(queues.Where(q => q.Paused).Select(q => $"{q.Queue} is paused"));
                problems.AddRange(queues.Where(q => q.Workers == 0).Select(q => $"{q.Queue} has no consumer attached"));
            }
            catch (UnreachableException e)
            {
                problems.Add(e.Message);
            }
        }

        IReadOnlyList<ActiveAlert> firing = [];
        IReadOnlyList<SloBudget> budgets = [];
        string? alertsPage = null;
        if (session.Prometheus is { } prometheus)
        {
            try
            {
                firing = await prometheus.FiringAsync(ct);
                // A ratio over no traffic is NaN or infinite: not measured yet, so no budget spent.
                budgets = (await prometheus.QueryAsync(Checks.BudgetQuery, ct)).Where(b => double.IsFinite(b.Value))
                    .Select(b => new SloBudget(b.Labels.GetValueOrDefault("slo", "?"), b.Value)).ToList();
                alertsPage = await prometheus.AlertsPageAsync(ct);
                components.Add(new ComponentHealth("Prometheus", prometheus.Address.ToString(), "Healthy"));
                problems.AddRange(firing.Where(a => a.Severity == "page").Select(a => $"page firing: {a.Name} ({a.Where})"));
                problems.AddRange(budgets.Where(b => b.Remaining <= 0).Select(b => $"error budget of {b.Slo} spent"));
            }
            catch (Exception e) when (e is UnreachableException or CheckFailedException or JsonException)
            {
                components.Add(new ComponentHealth("Prometheus", prometheus.Address.ToString(), "unreachable"));
                problems.Add($"monitoring is missing: {e.Message}");
            }
        }
        else
        {
            problems.Add("monitoring is missing: no Prometheus address");
        }

        return new StatusReport(session.Target.Name, components, services, queues, firing, budgets, alertsPage, problems);
    }

    private static async Task<string> HealthAsync(ServiceApi api, CancellationToken ct)
    {
        try
        {
            var answer = await api.SendAsync(HttpMethod.Get, "/health", ct: ct);
            return HealthAnswer.Describe(answer);
        }
        catch (UnreachableException)
        {
            return "unreachable";
        }
    }
}
