using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SampleConsumer.Faults;

/// <summary>
/// Lets a request through only with <c>Authorization: Bearer &lt;operator token&gt;</c>; anything else is a 401
/// problem. Compared in constant time, so the answer's timing tells nothing of the token.
/// </summary>
public sealed class OperatorOnly(IOptions<ConsumerOptions> options) : IEndpointFilter
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(options.Value.OperatorToken ?? throw new InvalidOperationException("Consumer:OperatorToken is not set."));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()) : [];
        if (CryptographicOperations.FixedTimeEquals(presented, _token))
        {
            return await next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(
            header.Length == 0 ? "The stall fault needs the operator's token: send Authorization: Bearer <token>." : "The token is not the operator's.",
            statusCode: StatusCodes.Status401Unauthorized, title: "Operator token required");
    }
}
