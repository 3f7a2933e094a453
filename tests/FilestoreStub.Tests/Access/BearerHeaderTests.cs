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
}
