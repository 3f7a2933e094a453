using System.Text.Json.Serialization;

namespace Sandbox.AppHost;

/// <summary>One line of the address book: where a person or a script reaches a resource.</summary>
public sealed record SandboxAddress(
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("connectionString")] string? ConnectionString = null,
    [property: JsonPropertyName("skipped")] string? Skipped = null,
    [property: JsonPropertyName("operatorToken")] string? OperatorToken = null);
