using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FilestoreStub.Access;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Access;

/// <summary>
/// Every endpoint the stub maps, found by asking its router (so a new endpoint is in the matrix without anyone
/// remembering), against every kind of bad credential.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class AuthMatrixTests(RedisServer redis) : FilestoreTest(redis)
{
    // The only routes anyone may call: probes, the scrape, and the API reference.
    private static readonly string[] Public =
    [
        "/health", "/alive", "/metrics", "/openapi/{documentName}.json",
        "/scalar/{documentName?}", "/scalar/favicon.svg", "/scalar/scalar.aspnetcore.js", "/scalar/scalar.js",
    ];

    private sealed record Route(string Method, string Pattern, bool OperatorOnly)
    {
        public string Url => "/" + Pattern.TrimStart('/').Replace("{env}", "staging").Replace("{service}", "billing");

        public override string ToString() => $"{Method} {Pattern}";
    }

    private List<Route> Routes(bool anonymous) =>
        App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => (e.Metadata.GetMetadata<IAllowAnonymous>() is not null || e.Metadata.GetMetadata<IAuthorizeData>() is null) == anonymous)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new Route(
                method, e.RoutePattern.RawText!, e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == AccessEndpoints.OperatorPolicy))))
            .ToList();

    private static HttpRequestMessage Request(Route route, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url);
        if (route.Method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return request;
    }

    private async Task<List<string>> Expect(IEnumerable<Route> routes, string? token, HttpStatusCode status, string type)
    {
        var client = App.CreateClient();
        var wrong = new List<string>();
        foreach (var route in routes)
        {
            using var response = await client.SendAsync(Request(route, token));
            var body = await response.Content.ReadAsStringAsync();
            var actual = body.StartsWith('{') && JsonDocument.Parse(body).RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (response.StatusCode != status || actual != $"https://filestore.sandbox/problems/{type}")
            {
                wrong.Add($"{route}: {(int)response.StatusCode} {actual}");
            }
        }

        return wrong;
    }

    [Fact]
    public void Only_the_probes_the_scrape_and_the_api_reference_are_public()
    {
        _ = App.Server;

        Assert.Equal(Public.Order(), Routes(anonymous: true).Select(r => r.Pattern).Distinct().Order());
        Assert.True(Routes(anonymous: false).Count >= 25, string.Join(", ", Routes(anonymous: false)));
    }

    [Fact]
    public async Task Every_protected_route_refuses_missing_invalid_expired_and_revoked_tokens()
    {
        var steps = new CutoverSteps(App);
        var expired = await steps.IssueTokenAsync("short-lived", lifetimeSeconds: 1);
        var revoked = await steps.IssueTokenAsync("let-go");
        using var revoke = await steps.Operator.PostAsJsonAsync("/access/tokens/revoke", new { principal = "let-go" });
        App.Clock.Advance(TimeSpan.FromSeconds(2));
        var routes = Routes(anonymous: false);

        var wrong = new List<string>();
        wrong.AddRange(await Expect(routes, null, HttpStatusCode.Unauthorized, "unauthorized/missing"));
        wrong.AddRange(await Expect(routes, "fst_not-a-token-anyone-issued", HttpStatusCode.Unauthorized, "unauthorized/invalid"));
        wrong.AddRange(await Expect(routes, expired, HttpStatusCode.Unauthorized, "unauthorized/expired"));
        wrong.AddRange(await Expect(routes, revoked, HttpStatusCode.Unauthorized, "unauthorized/revoked"));

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
        foreach (var reason in new[] { "missing", "invalid", "expired", "revoked" })
        {
            await Scrape.UntilAsync(App, "filestore_auth_failures_total", routes.Count, ("reason", reason));
        }
    }

    [Fact]
    public async Task A_service_token_is_forbidden_on_every_admin_route_and_changes_nothing()
    {
        var steps = new CutoverSteps(App);
        await steps.GrantAsync();
        var service = await steps.IssueTokenAsync();
        var admin = Routes(anonymous: false).Where(r => r.OperatorOnly).ToList();

        var wrong = await Expect(admin, service, HttpStatusCode.Forbidden, "forbidden");

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
        Assert.True(admin.Count >= 20, string.Join(", ", admin));
        await Scrape.UntilAsync(App, "filestore_auth_failures_total", admin.Count, ("reason", "forbidden"));
        var policy = await steps.Operator.GetFromJsonAsync<JsonElement>("/envs/staging/policy");
        Assert.Equal(1, policy.GetProperty("version").GetInt32());
        Assert.Equal("manual", (await steps.StateAsync()).GetProperty("mode").GetString());
        Assert.False((await steps.Operator.GetFromJsonAsync<JsonElement>("/faults")).GetProperty("any").GetBoolean());
    }

    [Theory]
    [InlineData("put", "archive/secret.json", null)]
    [InlineData("delete", "2026/10/summary.csv", null)]
    [InlineData("move", "2026/10/summary.csv", "archive/summary.csv")]
    [InlineData("mkdir", "2026/12", null)]
    public async Task A_service_principal_may_only_run_the_commands_and_prefixes_its_policy_grants(string command, string path, string? to)
    {
        var steps = new CutoverSteps(App);
        var client = await steps.IntoManagedAsync();
        await steps.GrantAsync(commands: ["put", "move"], prefixes: ["2026"]);
        var before = Directory.GetFileSystemEntries(steps.Root, "*", SearchOption.AllDirectories).Order().ToList();
        object body = command switch
        {
            "put" => new { command, path, text = "x" },
            "move" => new { command, path, to },
            _ => new { command, path },
        };

        using var response = await steps.CommandAsync(client, body);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/policy-denied", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Equal(before, Directory.GetFileSystemEntries(steps.Root, "*", SearchOption.AllDirectories).Order().ToList());
        await Scrape.UntilAsync(App, "filestore_commands_total", 1, ("command", command), ("outcome", "rejected"));
    }
}
