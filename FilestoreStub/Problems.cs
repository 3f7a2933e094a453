using Microsoft.AspNetCore.Http.HttpResults;
using BullMq;
using Microsoft.AspNetCore.Mvc;

namespace FilestoreStub;

/// <summary>RFC 7807 problem details with a stable <c>type</c> per kind of error, the same from every feature.</summary>
public static class Problems
{
    public const string TypeBase = "https://filestore.sandbox/problems/";

    public static ProblemHttpResult Result(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: TypeBase + type, extensions: extensions);

    /// <summary>A 400 listing every invalid field; nothing was changed.</summary>
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title = "The request is not valid.") =>
        TypedResults.ValidationProblem(errors, title: title, type: TypeBase + "validation");

    /// <summary>How long a caller is asked to wait (<c>Retry-After</c>) while Redis is unreachable: about as long as the AppHost takes to restart it.</summary>
    public const int StoreRetryAfterSeconds = 5;

    /// <summary>
    /// A body that cannot be read keeps its own status (400 malformed, 413 too large), and Redis out of reach is a 503
    /// the caller can retry, instead of either becoming a 500.
    /// </summary>
    public static int StatusFor(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ when IsStoreUnavailable(exception) => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// Redis, where Filestore keeps its state, could not be reached or did not answer in time, by the queue client's rule
    /// (<see cref="QueueConnection.IsLost"/>, which counts a call the Redis client cancelled by itself when its
    /// connection broke), directly or as the cause of another failure.
    /// </summary>
    public static bool IsStoreUnavailable(Exception exception) =>
        QueueConnection.IsLost(exception) || exception is QueueUnavailableException
        || (exception.InnerException is { } inner && IsStoreUnavailable(inner));

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;

    /// <summary>Gives framework-made problems (unreadable bodies, unknown routes) this API's stable types.</summary>
    public static void Describe(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type?.StartsWith(TypeBase, StringComparison.Ordinal) == true)
        {
            // Already one of ours: an endpoint chose it.
            return;
        }

        if (context.Exception is { } exception && IsStoreUnavailable(exception))
        {
            problem.Type = TypeBase + "store-unavailable";
            problem.Title = "Filestore's store is unreachable";
            problem.Detail = $"Redis, where Filestore keeps modes, policies, tokens and idempotency keys, did not answer, so the call was not carried out. "
                             + $"Retry in {StoreRetryAfterSeconds} s; the sandbox restarts a crashed Redis by itself.";
            context.HttpContext.Response.Headers.RetryAfter = $"{StoreRetryAfterSeconds}";
            var request = context.HttpContext.Request;
            ProblemLog.StoreUnavailable(
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Problems)),
                request.Method, request.Path, Innermost(exception).Message);
        }
        else if (context.Exception is BadHttpRequestException bad)
        {
            problem.Type = TypeBase + (bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "too-large" : "malformed-request");
            problem.Title = "The request could not be read.";
            problem.Detail = bad.Message;
        }
        else if (problem.Status == StatusCodes.Status404NotFound)
        {
            problem.Type = TypeBase + "not-found";
        }
        else if (problem.Status >= 500)
        {
            problem.Type = TypeBase + "internal";
        }
    }

    /// <summary>Writes a problem outside an endpoint (authentication runs before one is chosen).</summary>
    public static Task WriteAsync(HttpContext context, int status, string type, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Type = TypeBase + type, Title = title, Detail = detail },
            options: null,
            contentType: "application/problem+json");
    }
}

internal static partial class ProblemLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503 store-unavailable: {Reason}")]
    public static partial void StoreUnavailable(ILogger logger, string method, string path, string reason);
}
