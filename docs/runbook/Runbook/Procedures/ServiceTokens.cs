using Runbook.Steps;

namespace Runbook.Procedures;

/// <summary>Short-lived tokens for callers that act as the service without holding its token (the dashboard's dry-run and cutover).</summary>
public static class ServiceTokens
{
    /// <summary>
    /// Issues a token, valid for <paramref name="lifetime"/>, to the first principal the environment's policy grants the
    /// service: the same principal the service's own client uses, so policy and gates judge it the same way.
    /// </summary>
    public static async Task<(string Token, string TokenId)> IssueShortLivedAsync(
        RunbookSession session, string env, string service, TimeSpan lifetime, CancellationToken ct = default)
    {
        var policy = await session.Filestore.GetAsync($"/envs/{env}/policy", ct);
        var principal = policy.GetProperty("rules").EnumerateArray()
            .Where(r => r.GetProperty("service").GetString() == service)
            .Select(r => r.GetProperty("principal").GetString())
            .FirstOrDefault(p => p is not null && !p.EndsWith("-drill", StringComparison.Ordinal))
            ?? throw new CheckFailedException($"The policy of {env} grants {service} to no principal: apply the policy first (runbook policy apply {env} <file>).");
        var issued = await session.Filestore.CallAsync(HttpMethod.Post, "/access/tokens", new { principal, lifetimeSeconds = (long)lifetime.TotalSeconds }, ct);
        return (issued.GetProperty("token").GetString()!, issued.GetProperty("tokenId").GetString()!);
    }

    /// <summary>Revokes one token by id, whatever happens to the caller: a token issued for one action does not outlive it.</summary>
    public static Task RevokeAsync(RunbookSession session, string tokenId) =>
        session.Filestore.SendAsync(HttpMethod.Post, "/access/tokens/revoke", new { tokenId }, ct: CancellationToken.None);
}
