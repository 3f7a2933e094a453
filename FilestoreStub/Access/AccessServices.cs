using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Access;

/// <summary>Tokens, bearer authentication, the operator policy, and the operator's bootstrap token registered at start.</summary>
public static class AccessServices
{
    public static IHostApplicationBuilder AddAccess(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<AccessOptions>(AccessOptions.SectionName);
        builder.Services.AddSingleton<TokenStore>();
        builder.Services.AddSingleton<AuthMetrics>();
        builder.Services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AccessEndpoints.OperatorPolicy, policy => policy.RequireClaim(BearerAuthenticationHandler.KindClaim, nameof(PrincipalKind.Operator)));
        // The configured operator token is registered before the stub takes requests, so the operator can always get in.
        builder.Services.LoadAtStart(sp => sp.GetRequiredService<TokenStore>().RegisterAsync(
            sp.GetRequiredService<IOptions<AccessOptions>>().Value.OperatorToken, new Principal(Principal.OperatorName, PrincipalKind.Operator)));
        return builder;
    }
}
