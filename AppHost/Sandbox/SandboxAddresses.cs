using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sandbox.AppHost;

/// <summary>The content of <c>endpoints.json</c>.</summary>
public sealed record SandboxAddresses(
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("writtenAt")] DateTimeOffset WrittenAt,
    [property: JsonPropertyName("resources")] IReadOnlyDictionary<string, SandboxAddress> Resources,
    [property: JsonPropertyName("dashboards")] IReadOnlyDictionary<string, DashboardAddress>? Dashboards = null)
{
    public const string FileName = "endpoints.json";

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
