using System.Text.Json;

namespace FilestoreStub.Commands;

/// <summary>A command's answer as JSON text, so the very same bytes can be kept for its idempotency key.</summary>
public sealed class RanAnswer(int status, CommandResponse response) : IResult
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public string Json { get; } = JsonSerializer.Serialize(response, Web);

    public Task ExecuteAsync(HttpContext httpContext) => new ReplayedAnswer(status, Json, replayed: false).ExecuteAsync(httpContext);
}
