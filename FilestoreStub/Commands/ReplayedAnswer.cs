namespace FilestoreStub.Commands;

/// <summary>A kept answer, written as it was first written; marked <c>Idempotent-Replayed</c> when it is a retry's.</summary>
public sealed class ReplayedAnswer(int status, string json, bool replayed = true) : IResult
{
    public const string Header = "Idempotent-Replayed";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        if (replayed)
        {
            httpContext.Response.Headers[Header] = "true";
        }

        await httpContext.Response.WriteAsync(json);
    }
}
