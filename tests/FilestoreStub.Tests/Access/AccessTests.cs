using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FilestoreStub.Access;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Access;

[Collection(RedisCollection.Name)]
public sealed class AccessTests(RedisServer redis) : FilestoreTest(redis)
{

    private async Task<TokenResponse> IssueAsync(string principal, long? lifetimeSeconds = null)
    {
        using var response = await App.Operator().PostAsJsonAsync("/access/tokens", new { principal, kind = "service", lifetimeSeconds });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Problems.TypeBase + type, body.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_operator_token_from_configuration_gets_in_as_the_operator()
    {
        var me = await App.Operator().GetFromJsonAsync<WhoAmIResponse>("/access/whoami");

        Assert.Equal(new WhoAmIResponse("operator", "operator"), me);
    }

    [Fact]
    public async Task An_issued_service_token_identifies_its_service()
    {
        var issued = await IssueAsync("billing");

        var me = await App.ClientWith(issued.Token).GetFromJsonAsync<WhoAmIResponse>("/access/whoami");

        Assert.Equal(new WhoAmIResponse("billing", "service"), me);
        Assert.StartsWith("fst_", issued.Token, StringComparison.Ordinal);
        Assert.Equal(TokenStore.TokenId(issued.Token), issued.TokenId);
    }

    [Fact]
    public async Task A_request_without_a_token_is_401_missing()
    {
        using var response = await App.ClientWith(null).GetAsync("/access/whoami");

        await AssertProblem(response, HttpStatusCode.Unauthorized, "unauthorized/missing");
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fst_not-a-token-anyone-issued")]
    [InlineData("")]
    public async Task An_unknown_token_is_401_invalid(string token)
    {
        var client = App.ClientWith(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {token}");

        using var response = await client.GetAsync("/access/whoami");

        await AssertProblem(response, HttpStatusCode.Unauthorized, "unauthorized/invalid");
    }

    [Fact]
    public async Task An_expired_token_is_401_expired()
    {
        var issued = await IssueAsync("reports", lifetimeSeconds: 60);
        App.Clock.Advance(TimeSpan.FromSeconds(61));

        using var response = await App.ClientWith(issued.Token).GetAsync("/access/whoami");

        await AssertProblem(response, HttpStatusCode.Unauthorized, "unauthorized/expired");
    }

    [Fact]
    public async Task A_revoked_token_is_401_revoked()
    {
        var issued = await IssueAsync("revoked-svc");
        using var revoke = await App.Operator().PostAsJsonAsync("/access/tokens/revoke", new { tokenId = issued.TokenId });
        Assert.Equal(1, (await revoke.Content.ReadFromJsonAsync<RevokeResponse>())!.Revoked);

        using var response = await App.ClientWith(issued.Token).GetAsync("/access/whoami");

        await AssertProblem(response, HttpStatusCode.Unauthorized, "unauthorized/revoked");
    }

    [Theory]
    [InlineData("/access/tokens", """{"principal":"evil","kind":"operator"}""")]
    [InlineData("/access/tokens/rotate", """{"principal":"billing"}""")]
    [InlineData("/access/tokens/revoke", """{"principal":"operator"}""")]
    public async Task A_service_token_on_an_admin_route_is_403_forbidden_and_changes_nothing(string route, string body)
    {
        var service = await IssueAsync("curious-svc");

        using var response = await App.ClientWith(service.Token).PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblem(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await App.Operator().GetAsync("/access/whoami")).StatusCode);
    }

    [Fact]
    public async Task Rotation_keeps_the_old_token_for_the_grace_period_then_refuses_it()
    {
        var old = await IssueAsync("rotating");
        using var rotate = await App.Operator().PostAsJsonAsync("/access/tokens/rotate", new { principal = "rotating", graceSeconds = 300 });
        var fresh = (await rotate.Content.ReadFromJsonAsync<TokenResponse>())!;

        Assert.Equal(HttpStatusCode.OK, (await App.ClientWith(old.Token).GetAsync("/access/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await App.ClientWith(fresh.Token).GetAsync("/access/whoami")).StatusCode);

        App.Clock.Advance(TimeSpan.FromSeconds(301));

        await AssertProblem(await App.ClientWith(old.Token).GetAsync("/access/whoami"), HttpStatusCode.Unauthorized, "unauthorized/expired");
        Assert.Equal(HttpStatusCode.OK, (await App.ClientWith(fresh.Token).GetAsync("/access/whoami")).StatusCode);
    }

    [Fact]
    public async Task Tokens_survive_a_restart_of_the_stub()
    {
        var issued = await IssueAsync("durable-svc");
        await App.StopAsync();

        await using var restarted = new FilestoreApp(Redis);
        var me = await restarted.ClientWith(issued.Token).GetFromJsonAsync<WhoAmIResponse>("/access/whoami");

        Assert.Equal("durable-svc", me!.Principal);
    }

    [Fact]
    public async Task Invalid_requests_get_a_validation_problem_naming_every_bad_field()
    {
        using var response = await App.Operator().PostAsJsonAsync("/access/tokens", new { principal = "Bad Name", kind = "root", lifetimeSeconds = -1 });

        await AssertProblem(response, HttpStatusCode.BadRequest, "validation");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = body.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(["kind", "lifetimeSeconds", "principal"], fields);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        using var response = await App.Operator().PostAsync("/access/tokens", new StringContent("{\"principal\":", Encoding.UTF8, "application/json"));

        await AssertProblem(response, HttpStatusCode.BadRequest, "malformed-request");
    }

    [Fact]
    public async Task Every_refusal_is_counted_by_reason()
    {
        await App.ClientWith(null).GetAsync("/access/whoami");
        await App.ClientWith("fst_unknown").GetAsync("/access/whoami");
        var service = await IssueAsync("counted-svc");
        await App.ClientWith(service.Token).PostAsJsonAsync("/access/tokens/revoke", new { principal = "operator" });

        var metrics = await Eventually.Until(
            () => App.CreateClient().GetStringAsync("/metrics"),
            text => text.Contains("filestore_auth_failures_total{", StringComparison.Ordinal), what: "the auth failure counter");

        foreach (var reason in new[] { "missing", "invalid", "forbidden" })
        {
            Assert.Matches($"filestore_auth_failures_total\\{{[^}}]*reason=\"{reason}\"[^}}]*\\}} [1-9]", metrics);
        }
    }

    [Fact]
    public async Task A_rotated_away_operator_token_does_not_come_back_when_the_stub_restarts()
    {
        var isolated = new RedisServer();
        await isolated.InitializeAsync();
        try
        {
            await using var first = new FilestoreApp(isolated);
            using var rotate = await first.Operator().PostAsJsonAsync("/access/tokens/rotate", new { principal = "operator", kind = "operator", graceSeconds = 1 });
            var fresh = (await rotate.Content.ReadFromJsonAsync<TokenResponse>())!;
            first.Clock.Advance(TimeSpan.FromSeconds(2));
            await first.StopAsync();

            await using var restarted = new FilestoreApp(isolated);
            restarted.Clock.Advance(TimeSpan.FromSeconds(2));

            await AssertProblem(await restarted.Operator().GetAsync("/access/whoami"), HttpStatusCode.Unauthorized, "unauthorized/expired");
            Assert.Equal(HttpStatusCode.OK, (await restarted.ClientWith(fresh.Token).GetAsync("/access/whoami")).StatusCode);
        }
        finally
        {
            await isolated.DisposeAsync();
        }
    }
}
