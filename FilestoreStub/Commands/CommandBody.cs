using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FilestoreStub.Changes;

namespace FilestoreStub.Commands;

/// <summary>Reading a command body strictly: bounded size, well-formed JSON, known fields, right types.</summary>
public static class CommandBody
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        PropertyNameCaseInsensitive = false,
    };

    /// <summary>The body's bytes, or the problem that refuses it (413 over <paramref name="limit"/>).</summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken ct) =>
        await RequestBody.ReadAsync(request, limit, ct) is { } body ? (body, null) : (null, TooLarge(limit));

    /// <summary>Parses and validates a body into a <see cref="FileCommand"/>, or the 400 that says what is wrong.</summary>
    public static (FileCommand? Command, IResult? Problem) Parse(byte[] body)
    {
        CommandRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<CommandRequest>(body, Strict);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : string.Empty;
            return (null, Problems.Result(StatusCodes.Status400BadRequest, "malformed-request", "The command could not be read.",
                $"The body is not a command{where}: {FirstSentence(e.Message)}"));
        }

        if (request is null)
        {
            return (null, Problems.Result(StatusCodes.Status400BadRequest, "malformed-request", "The command could not be read.", "The body is empty or null."));
        }

        if (request.Command is not null && !CommandNames.All.Contains(request.Command))
        {
            return (null, Problems.Result(StatusCodes.Status400BadRequest, "unknown-command", "Unknown command",
                $"'{request.Command}' is not a command; use {string.Join(", ", CommandNames.All)}."));
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Command is null)
        {
            errors["command"] = [$"command is required: {string.Join(", ", CommandNames.All)}."];
        }

        if (request.Path is null)
        {
            errors["path"] = ["path is required."];
        }

        if (request.Command == CommandNames.Move && request.To is null)
        {
            errors["to"] = ["move needs a destination ('to')."];
        }
        else if (request.Command != CommandNames.Move && request.To is not null)
        {
            errors["to"] = ["to is only for move."];
        }

        byte[]? content = null;
        if (request.Command == CommandNames.Put)
        {
            if ((request.Content is null) == (request.Text is null))
            {
                errors["content"] = ["put needs exactly one of content (base64) or text (UTF-8)."];
            }
            else if (request.Content is not null)
            {
                try
                {
                    content = Convert.FromBase64String(request.Content);
                }
                catch (FormatException)
                {
                    errors["content"] = ["content is not valid base64."];
                }
            }
            else
            {
                content = Encoding.UTF8.GetBytes(request.Text!);
            }
        }
        else if (request.Content is not null || request.Text is not null)
        {
            errors["content"] = ["content and text are only for put."];
        }

        return errors.Count > 0
            ? (null, Problems.Invalid(errors, "The command is not valid; nothing was changed."))
            : (new FileCommand(request.Command!, request.Path!, request.To, content), null);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooLarge(int limit) =>
        Problems.Result(StatusCodes.Status413PayloadTooLarge, "too-large", "The command is too large.",
            $"A command body may be at most {limit} bytes; split the content or raise Commands:MaxBodyBytes.");

    private static string FirstSentence(string message) => message.Split(". ", 2)[0].TrimEnd('.') + ".";
}
