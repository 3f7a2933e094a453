using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Access;

/// <summary>
/// Bearer-token authentication against the <see cref="TokenStore"/>. A refusal answers with problem details whose
/// <c>type</c> names the reason, and is counted: 401 missing / invalid / expired / revoked, 403 forbidden.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenStore tokens,
    AuthMetrics metrics) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string KindClaim = "filestore:kind";
    private const string FailureKey = "filestore:auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Fail("missing", "No bearer token was sent.");
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return Fail("invalid", "The Authorization header is not a bearer token.");
        }

        var (verdict, principal) = await tokens.VerifyAsync(header["Bearer ".Length..].Trim());
        return verdict switch
        {
            TokenVerdict.Valid => AuthenticateResult.Success(new AuthenticationTicket(ToClaims(principal!), SchemeName)),
            TokenVerdict.Expired => Fail("expired", "The token has expired; ask the operator for a new one."),
            TokenVerdict.Revoked => Fail("revoked", "The token was revoked."),
            _ => Fail("invalid", "The token is not known."),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (reason, detail) = Context.Items[FailureKey] as (string, string)? ?? ("missing", "No bearer token was sent.");
        metrics.Failed(reason);
        Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{reason}\"";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, $"unauthorized/{reason}", "Unauthorized", detail);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        metrics.Failed("forbidden");
        var who = Context.User.Identity?.Name ?? "this principal";
        await Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "forbidden", "Forbidden", $"{who} may not do this.");
    }

    private AuthenticateResult Fail(string reason, string detail)
    {
        Context.Items[FailureKey] = (reason, detail);
        return reason == "missing" ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(detail);
    }

    internal static ClaimsPrincipal ToClaims(Principal principal) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, principal.Name), new Claim(KindClaim, principal.Kind.ToString())], SchemeName));

    internal static Principal? FromClaims(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { } name } && Enum.TryParse<PrincipalKind>(user.FindFirstValue(KindClaim), out var kind)
            ? new Principal(name, kind)
            : null;
}
