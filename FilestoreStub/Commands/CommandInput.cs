using System.Reflection;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Commands;

/// <summary>
/// A command request as read from HTTP: its <c>Idempotency-Key</c>, its body's bytes and the command they hold, or the
/// refusal of a request that is not a command (no usable key, a body over the limit, malformed or invalid JSON).
/// Bound by the endpoint before its filters run, so they can see which command they guard.
/// </summary>
public sealed class CommandInput
{
    private CommandInput(string key, byte[] body, FileCommand? command, CommandAnswer? refusal) =>
        (Key, Body, Command, Refusal) = (key, body, command, refusal);

    public string Key { get; }

    public byte[] Body { get; }

    public FileCommand? Command { get; }

    public CommandAnswer? Refusal { get; }

    /// <summary>The command's name for the metrics: <c>invalid</c> when the request is not a command.</summary>
    public string Name => Command?.Name ?? CommandAnswer.NoCommand;

    public static ValueTask<CommandInput> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ReadAsync(context.Request, context.RequestServices.GetRequiredService<IOptions<CommandOptions>>().Value.MaxBodyBytes, context.RequestAborted);

    public static async ValueTask<CommandInput> ReadAsync(HttpRequest request, int maxBodyBytes, CancellationToken ct)
    {
        var key = request.Headers[CommandIdempotency.Header].ToString();
        if (CommandIdempotency.KeyProblem(key) is { } badKey)
        {
            return Refuse(key, StatusCodes.Status400BadRequest, badKey);
        }

        var (body, tooLarge) = await CommandBody.ReadAsync(request, maxBodyBytes, ct);
        if (tooLarge is not null)
        {
            return Refuse(key, StatusCodes.Status413PayloadTooLarge, tooLarge);
        }

        var (command, invalid) = CommandBody.Parse(body!);
        return invalid is null ? new CommandInput(key, body!, command, null) : Refuse(key, StatusCodes.Status400BadRequest, invalid, body);
    }

    private static CommandInput Refuse(string key, int status, IResult problem, byte[]? body = null) =>
        new(key, body ?? [], null, CommandAnswer.Refused(status, problem));
}
