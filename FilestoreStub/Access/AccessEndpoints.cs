using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Access;

/// <summary>Tokens: issue, rotate with a grace period, revoke; and who the caller is. Admin routes need the operator.</summary>
public static partial class AccessEndpoints
{
    public const string OperatorPolicy = "operator";
    private static readonly TimeSpan DefaultGrace = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapAccessEndpoints(this IEndpointRouteBuilder app)
    {
        var access = app.MapGroup("/access").WithTags("Access");

        access.MapGet("/whoami", (HttpContext context) =>
        {
            var principal = BearerAuthenticationHandler.FromClaims(context.User)!;
            return TypedResults.Ok(new WhoAmIResponse(principal.Name, principal.Kind.ToString().ToLowerInvariant()));
        }).RequireAuthorization();

        access.MapPost("/tokens", async Task<Results<Created<TokenResponse>, ValidationProblem>> (IssueTokenRequest request, TokenStore tokens) =>
        {
            var errors = Validate(request.Principal, request.Kind, ("lifetimeSeconds", request.LifetimeSeconds));
            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            var issued = await tokens.IssueAsync(new Principal(request.Principal!, ParseKind(request.Kind)), Seconds(request.LifetimeSeconds));
            return TypedResults.Created($"/access/tokens/{issued.TokenId}", ToResponse(issued));
        }).RequireAuthorization(OperatorPolicy);

        access.MapPost("/tokens/rotate", async Task<Results<Created<TokenResponse>, ValidationProblem>> (RotateTokenRequest request, TokenStore tokens, TimeProvider time) =>
        {
            var errors = Validate(request.Principal, request.Kind, ("graceSeconds", request.GraceSeconds), ("lifetimeSeconds", request.LifetimeSeconds));
            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            var grace = Seconds(request.GraceSeconds) ?? DefaultGrace;
            var (issued, _) = await tokens.RotateAsync(new Principal(request.Principal!, ParseKind(request.Kind)), grace, Seconds(request.LifetimeSeconds));
            return TypedResults.Created($"/access/tokens/{issued.TokenId}", ToResponse(issued) with { PreviousTokensValidUntil = time.GetUtcNow() + grace });
        }).RequireAuthorization(OperatorPolicy);

        access.MapPost("/tokens/revoke", async Task<Results<Ok<RevokeResponse>, ValidationProblem>> (RevokeTokenRequest request, TokenStore tokens) =>
        {
            if (string.IsNullOrEmpty(request.Principal) == string.IsNullOrEmpty(request.TokenId))
            {
                return Problems.Invalid(new Dictionary<string, string[]> { ["principal"] = ["Give exactly one of principal (revokes all its tokens) or tokenId."] });
            }

            var revoked = request.Principal is { Length: > 0 } principal
                ? await tokens.RevokeAllAsync(principal)
                : await tokens.RevokeAsync(request.TokenId!) ? 1 : 0;
            return TypedResults.Ok(new RevokeResponse(revoked));
        }).RequireAuthorization(OperatorPolicy);

        return app;
    }

    private static Dictionary<string, string[]> Validate(string? principal, string? kind, params (string Name, long? Value)[] durations)
    {
        var errors = new Dictionary<string, string[]>();
        if (principal is null || !PrincipalName().IsMatch(principal))
        {
            errors["principal"] = ["principal must be 2 to 63 lowercase letters, digits or '-', starting with a letter."];
        }

        if (kind is not (null or "service" or "operator"))
        {
            errors["kind"] = ["kind must be 'service' or 'operator'."];
        }
        else if (principal == Principal.OperatorName && kind != "operator")
        {
            errors["kind"] = ["The principal 'operator' is always of kind 'operator'."];
        }

        foreach (var (name, value) in durations)
        {
            if (value is < 1 or > 31_536_000)
            {
                errors[name] = [$"{name} must be from 1 to 31536000 (a year)."];
            }
        }

        return errors;
    }

    private static PrincipalKind ParseKind(string? kind) => kind == "operator" ? PrincipalKind.Operator : PrincipalKind.Service;

    private static TimeSpan? Seconds(long? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    private static TokenResponse ToResponse(IssuedToken issued) =>
        new(issued.Token, issued.TokenId, issued.Principal.Name, issued.Principal.Kind.ToString().ToLowerInvariant(), issued.ExpiresAt);

    // \z, not $: "$" also matches before a trailing newline, and "billing\n" is not a principal name.
    [GeneratedRegex(@"^[a-z][a-z0-9-]{1,62}\z")]
    private static partial Regex PrincipalName();
}
