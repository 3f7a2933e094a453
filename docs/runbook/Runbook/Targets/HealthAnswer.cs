using System.Text.Json;

namespace Runbook.Targets;

/// <summary>A service's <c>/health</c> answer in a few words: <c>Healthy</c>, or its status and the checks that are not healthy.</summary>
public static class HealthAnswer
{
    public const string Healthy = "Healthy";

    /// <summary><c>Healthy</c>, or for example <c>Unhealthy: StackExchange.Redis (Unhealthy: no connection is active)</c>.</summary>
    public static string Describe(ApiAnswer answer)
    {
        var body = answer.Body;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("status", out var status))
        {
            return body.ValueKind == JsonValueKind.String ? body.GetString()! : $"{(int)answer.Status}";
        }

        var down = body.TryGetProperty("checks", out var checks) && checks.ValueKind == JsonValueKind.Object
            ? checks.EnumerateObject()
                .Where(c => c.Value.GetProperty("status").GetString() != Healthy)
                .Select(c => $"{c.Name} ({c.Value.GetProperty("status").GetString()}"
                             + (c.Value.TryGetProperty("description", out var d) && d.GetString() is { Length: > 0 } why ? $": {why})" : ")"))
                .ToList()
            : [];
        return down.Count == 0 ? status.GetString()! : $"{status.GetString()}: {string.Join("; ", down)}";
    }
}
