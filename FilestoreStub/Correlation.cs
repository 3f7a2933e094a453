using System.Diagnostics;

namespace FilestoreStub;

/// <summary>
/// The correlation id that follows a request into its events, log lines and trace: the caller's
/// <c>X-Correlation-Id</c> when it is usable, a new one otherwise, echoed in the response either way.
/// </summary>
public static class Correlation
{
    public const string Header = "X-Correlation-Id";
    public const int MaxLength = 128;

    public static string IdFor(HttpContext context)
    {
        if (context.Items[Header] is string known)
        {
            return known;
        }

        var given = context.Request.Headers[Header].FirstOrDefault();
        var id = given is { Length: > 0 and <= MaxLength } && given.All(c => c is > ' ' and < '\u007f') ? given : Guid.CreateVersion7().ToString("N");
        context.Items[Header] = id;
        context.Response.Headers[Header] = id;
        Activity.Current?.SetTag("filestore.correlation_id", id);
        return id;
    }
}
