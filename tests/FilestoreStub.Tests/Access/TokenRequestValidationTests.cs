using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Access;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Access;

/// <summary>The edges of what the token routes accept: names, kinds, durations, and what a revocation must name.</summary>
[Collection(RedisCollection.Name)]
public sealed class TokenRequestValidationTests(RedisServer redis) : FilestoreTest(redis)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string route, object body)
    {
        using var response = await App.Operator().PostAsJsonAsync(route, body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string[] ErrorFields(JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();

    [Theory]
    [InlineData("ab")]
    [InlineData("a-1")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public async Task A_principal_name_of_two_to_sixty_three_lowercase_characters_starting_with_a_letter_is_accepted(string principal)
    {
        var (status, body) = await PostAsync("/access/tokens", new { principal });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(principal, body.GetProperty("principal").GetString());
    }

    [Theory]
    [InlineData("a")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    [InlineData("1abc")]
    [InlineData("-abc")]
    [InlineData("Billing")]
    [InlineData("bill_ing")]
    [InlineData("billing\n")]
    public async Task Any_other_principal_name_is_refused(string principal)
    {
        var (status, body) = await PostAsync("/access/tokens", new { principal });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["principal"], ErrorFields(body));
    }

    [Fact]
    public async Task A_missing_principal_is_refused()
    {
        var (status, body) = await PostAsync("/access/tokens", new { kind = "service" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["principal"], ErrorFields(body));
    }

    [Theory]
    [InlineData(null, "service")]
    [InlineData("service", "service")]
    [InlineData("operator", "operator")]
    public async Task The_kind_defaults_to_service_and_names_what_the_token_is(string? kind, string expected)
    {
        var (_, issued) = await PostAsync("/access/tokens", new { principal = "alice", kind });

        using var me = await App.ClientWith(issued.GetProperty("token").GetString()).GetAsync("/access/whoami");

        Assert.Equal(expected, issued.GetProperty("kind").GetString());
        Assert.Equal(new WhoAmIResponse("alice", expected), await me.Content.ReadFromJsonAsync<WhoAmIResponse>(Json));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("service")]
    public async Task The_principal_named_operator_may_only_be_of_kind_operator(string? kind)
    {
        var (status, body) = await PostAsync("/access/tokens", new { principal = Principal.OperatorName, kind });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["kind"], ErrorFields(body));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31_536_000)]
    public async Task A_lifetime_from_one_second_to_a_year_is_accepted_and_sets_the_expiry(long seconds)
    {
        var now = App.Clock.GetUtcNow();

        var (status, body) = await PostAsync("/access/tokens", new { principal = "billing", lifetimeSeconds = seconds });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(now.AddSeconds(seconds), body.GetProperty("expiresAt").GetDateTimeOffset());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31_536_001)]
    public async Task A_lifetime_or_grace_outside_one_second_to_a_year_is_refused(long seconds)
    {
        var (issueStatus, issue) = await PostAsync("/access/tokens", new { principal = "billing", lifetimeSeconds = seconds });
        var (rotateStatus, rotate) = await PostAsync("/access/tokens/rotate", new { principal = "billing", graceSeconds = seconds, lifetimeSeconds = seconds });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (issueStatus, rotateStatus));
        Assert.Equal(["lifetimeSeconds"], ErrorFields(issue));
        Assert.Equal(["graceSeconds", "lifetimeSeconds"], ErrorFields(rotate));
    }

    [Fact]
    public async Task A_rotation_says_until_when_the_old_tokens_stay_valid_five_minutes_by_default()
    {
        var now = App.Clock.GetUtcNow();

        var (_, byDefault) = await PostAsync("/access/tokens/rotate", new { principal = "billing" });
        var (_, chosen) = await PostAsync("/access/tokens/rotate", new { principal = "billing", graceSeconds = 30, lifetimeSeconds = 600 });

        Assert.Equal(now.AddMinutes(5), byDefault.GetProperty("previousTokensValidUntil").GetDateTimeOffset());
        Assert.Equal(now.AddSeconds(30), chosen.GetProperty("previousTokensValidUntil").GetDateTimeOffset());
        Assert.Equal(now.AddSeconds(600), chosen.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal("billing", chosen.GetProperty("principal").GetString());
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"principal":"","tokenId":""}""")]
    [InlineData("""{"principal":"billing","tokenId":"abc"}""")]
    public async Task A_revocation_must_name_exactly_one_of_a_principal_or_a_token_id(string json)
    {
        using var response = await App.Operator().PostAsync("/access/tokens/revoke",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["principal"], ErrorFields(await response.Content.ReadFromJsonAsync<JsonElement>()));
    }

    [Fact]
    public async Task Revoking_a_principal_revokes_all_its_live_tokens_and_says_how_many()
    {
        var (_, first) = await PostAsync("/access/tokens", new { principal = "billing" });
        await PostAsync("/access/tokens", new { principal = "billing" });
        await PostAsync("/access/tokens/revoke", new { tokenId = first.GetProperty("tokenId").GetString() });

        var (status, revoked) = await PostAsync("/access/tokens/revoke", new { principal = "billing" });
        var (_, unknown) = await PostAsync("/access/tokens/revoke", new { tokenId = "not-a-token-id" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, revoked.GetProperty("revoked").GetInt32());
        Assert.Equal(0, unknown.GetProperty("revoked").GetInt32());
    }

    [Fact]
    public async Task An_issued_or_rotated_token_is_created_at_its_own_address()
    {
        using var issue = await App.Operator().PostAsJsonAsync("/access/tokens", new { principal = "billing" });
        using var rotate = await App.Operator().PostAsJsonAsync("/access/tokens/rotate", new { principal = "billing" });

        foreach (var response in new[] { issue, rotate })
        {
            var tokenId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tokenId").GetString();
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal($"/access/tokens/{tokenId}", response.Headers.Location?.ToString());
        }
    }

    [Fact]
    public async Task Every_validation_error_of_the_token_routes_is_a_sentence_that_says_what_is_wanted()
    {
        var (_, issue) = await PostAsync("/access/tokens", new { principal = "Bad Name", kind = "root", lifetimeSeconds = 0 });
        var (_, operatorKind) = await PostAsync("/access/tokens", new { principal = "operator", kind = "service" });
        var (_, revoke) = await PostAsync("/access/tokens/revoke", new { });

        var messages = new[] { issue, operatorKind, revoke }
            .SelectMany(p => p.GetProperty("errors").EnumerateObject().Select(e => e.Value[0].GetString()!)).ToList();

        Assert.Equal(5, messages.Count);
        Assert.All(messages, m => Assert.Matches(@"^\S.{10,}\.$", m));
        Assert.Contains("lifetimeSeconds must be from 1 to 31536000 (a year).", messages);
    }
}
