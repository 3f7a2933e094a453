using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Access;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Access;

/// <summary>How the Authorization header is read, and what a refusal tells the caller.</summary>
[Collection(RedisCollection.Name)]
public sealed class BearerHeaderTests(RedisServer redis) : FilestoreTest(redis)
{
    private async Task<HttpResponseMessage> WhoAmIAsync(string authorization)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        return await client.GetAsync("/access/whoami");
    }

    private static async Task<string?> ProblemTypeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString();

    [Theory]
    [InlineData("Bearer {0}")]
    [InlineData("bearer {0}")]
    [InlineData("BEARER {0}")]
    [InlineData("Bearer   {0}  ")]
    public async Task The_scheme_is_read_in_any_case_and_the_token_around_its_spaces(string format)
    {
        using var response = await WhoAmIAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, FilestoreApp.OperatorToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic b3BlcmF0b3I6c2VjcmV0")]
    [InlineData("Token {0}")]
    [InlineData("Bearer{0}")]
    [InlineData("Token1 {0}")]
    public async Task A_header_that_is_not_a_bearer_token_is_401_invalid_and_says_so(string format)
    {
        using var response = await WhoAmIAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, FilestoreApp.OperatorToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(Problems.TypeBase + "unauthorized/invalid", await ProblemTypeAsync(response));
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"invalid\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task The_challenge_names_the_reason_of_the_refusal()
    {
        using var issue = await App.Operator().PostAsJsonAsync("/access/tokens", new { principal = "billing", lifetimeSeconds = 1 });
        var token = (await issue.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
        App.Clock.Advance(TimeSpan.FromSeconds(1));

        using var expired = await App.ClientWith(token).GetAsync("/access/whoami");
        using var missing = await App.ClientWith(null).GetAsync("/access/whoami");

        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"expired\"", expired.Headers.WwwAuthenticate.ToString());
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"missing\"", missing.Headers.WwwAuthenticate.ToString());
        Assert.Contains("expired", (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forbidden_answer_names_the_principal_that_was_refused()
    {
        using var issue = await App.Operator().PostAsJsonAsync("/access/tokens", new { principal = "curious-svc" });
        var token = (await issue.Content.ReadFromJsonAsync<TokenResponse>())!.Token;

        using var response = await App.ClientWith(token).GetAsync("/envs/staging/policy");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Forbidden", problem.GetProperty("title").GetString());
        Assert.Equal("curious-svc may not do this.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Each_refusal_says_in_its_detail_what_was_wrong()
    {
        using var issue = await App.Operator().PostAsJsonAsync("/access/tokens", new { principal = "billing", lifetimeSeconds = 1 });
        var issued = (await issue.Content.ReadFromJsonAsync<TokenResponse>())!;
        using var revokedIssue = await App.Operator().PostAsJsonAsync("/access/tokens", new { principal = "revoked-svc" });
        var revoked = (await revokedIssue.Content.ReadFromJsonAsync<TokenResponse>())!;
        using (await App.Operator().PostAsJsonAsync("/access/tokens/revoke", new { tokenId = revoked.TokenId }))
        {
        }

        App.Clock.Advance(TimeSpan.FromSeconds(1));

        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["No bearer token was sent."] = await App.ClientWith(null).GetAsync("/access/whoami"),
            ["The Authorization header is not a bearer token."] = await WhoAmIAsync("Basic b3BlcmF0b3I6c2VjcmV0"),
            ["The token is not known."] = await App.ClientWith("fst_never-issued").GetAsync("/access/whoami"),
            ["The token has expired; ask the operator for a new one."] = await App.ClientWith(issued.Token).GetAsync("/access/whoami"),
            ["The token was revoked."] = await App.ClientWith(revoked.Token).GetAsync("/access/whoami"),
        };

        foreach (var (detail, response) in answers)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized", detail),
                (response.StatusCode, problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()));
            response.Dispose();
        }
    }
}
