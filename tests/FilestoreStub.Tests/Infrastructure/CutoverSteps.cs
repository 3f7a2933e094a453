using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace FilestoreStub.Tests.Infrastructure;

/// <summary>
/// The runbook's steps for one service, through the API only, as an operator takes them: grant, issue a token, seed,
/// watch, and move between modes. Each step asserts that the stub accepted it.
/// </summary>
public sealed class CutoverSteps(IFilestoreHost app, string env = "staging", string service = "billing")
{
    public const string Principal = "billing-app";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpClient Operator { get; } = app.ClientWith(FilestoreApp.OperatorToken);

    public string Env => env;

    public string Service => service;

    public string Route => $"/envs/{env}/services/{service}";

    public string Root => Path.Combine(app.DataDirectory, env, service);

    /// <summary>Grants <see cref="Principal"/> the commands on the prefixes (the whole root by default).</summary>
    public async Task GrantAsync(string[]? commands = null, string[]? prefixes = null)
    {
        var rules = new[] { new { principal = Principal, service, commands = commands ?? ["put", "mkdir", "move", "delete"], prefixes = prefixes ?? ["*"] } };
        using var response = await Operator.PutAsJsonAsync($"/envs/{env}/policy", new { rules });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The operator the helpers approve as: approvals need a named operator token, never the shared one.</summary>
    public const string Approver = "alice";

    public async Task<string> IssueTokenAsync(string principal = Principal, long? lifetimeSeconds = null, string kind = "service")
    {
        using var response = await Operator.PostAsJsonAsync("/access/tokens", new { principal, kind, lifetimeSeconds });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    public async Task SeedAsync()
    {
        using var response = await Operator.PostAsync($"{Route}/seed", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task WatcherAsync(bool enabled)
    {
        using var response = await Operator.PutAsJsonAsync($"{Route}/watcher", new { enabled });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task PublishingAsync(bool enabled)
    {
        using var response = await Operator.PutAsJsonAsync($"{Route}/publishing", new { enabled });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public Task<HttpResponseMessage> TransitionAsync(string to, int? drainDeadlineSeconds = null) =>
        Operator.PostAsJsonAsync($"{Route}/cutover", new { to, drainDeadlineSeconds });

    public async Task MoveToAsync(string to)
    {
        using var response = await TransitionAsync(to);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A client holding a fresh operator token of <paramref name="principal"/> (a person, not the shared token).</summary>
    public async Task<HttpClient> NamedOperatorAsync(string principal = Approver) =>
        app.ClientWith(await IssueTokenAsync(principal, kind: "operator"));

    /// <summary>Approves shadow -> managed as <see cref="Approver"/>, as the runbook's approver does with their own token.</summary>
    public async Task ApproveAsync()
    {
        using var approver = await NamedOperatorAsync();
        using var response = await approver.PostAsJsonAsync($"{Route}/cutover/approval", new { note = "rehearsed" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task<JsonElement> StateAsync() => await Operator.GetFromJsonAsync<JsonElement>($"{Route}/cutover");

    /// <summary>Everything <c>manual -> shadow</c> needs, then the transition; returns a client with the service's token.</summary>
    public async Task<HttpClient> IntoShadowAsync()
    {
        await GrantAsync();
        var token = await IssueTokenAsync();
        await SeedAsync();
        await WatcherAsync(true);
        await MoveToAsync("shadow");
        return app.ClientWith(token);
    }

    /// <summary>Shadow, enough good shadow commands, an approval, then managed; returns the service's client.</summary>
    public async Task<HttpClient> IntoManagedAsync()
    {
        var client = await IntoShadowAsync();
        for (var i = 0; i < 3; i++)
        {
            using var planned = await CommandAsync(client, new { command = "mkdir", path = $"shadow-{i}" });
            Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        }

        await ApproveAsync();
        await MoveToAsync("managed");
        return client;
    }

    /// <summary>Sends a command with a fresh idempotency key unless one is given.</summary>
    public Task<HttpResponseMessage> CommandAsync(HttpClient client, object body, string? key = null, string? correlationId = null) =>
        CommandAsync(client, JsonSerializer.Serialize(body, Json), key, correlationId);

    public Task<HttpResponseMessage> CommandAsync(HttpClient client, string json, string? key = null, string? correlationId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Route}/commands") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        if (correlationId is not null)
        {
            request.Headers.Add("X-Correlation-Id", correlationId);
        }

        return client.SendAsync(request);
    }
}
