using System.Text.Json.Serialization;

namespace FilestoreStub.Commands;

/// <summary>
/// A command as sent: <c>command</c> (<c>put</c>, <c>mkdir</c>, <c>move</c>, <c>delete</c>), <c>path</c> relative to the
/// service's root, <c>to</c> for a move, and for a put either <c>content</c> (base64) or <c>text</c> (UTF-8).
/// </summary>
public sealed record CommandRequest(
    [property: JsonPropertyName("command")] string? Command,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("to")] string? To = null,
    [property: JsonPropertyName("content")] string? Content = null,
    [property: JsonPropertyName("text")] string? Text = null);
