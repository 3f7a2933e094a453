using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FilestoreStub.Commands;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Commands;

/// <summary>
/// The idempotency rules of the command route: which keys are accepted, that only a replay is marked as one, that a
/// key in use answers "in progress", and that a replay in shadow mode is not counted twice.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class IdempotencyKeyRuleTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, string json, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Steps.Route}/commands") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation(CommandIdempotency.Header, key);
        return await client.SendAsync(request);
    }

    private static async Task<string?> TypeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("type", out var type) ? type.GetString() : null;

    [Fact]
    public async Task Keys_of_one_to_two_hundred_printable_ascii_characters_are_accepted()
    {
        var client = await Steps.IntoShadowAsync();

        foreach (var key in new[] { "k", new string('k', 200), "with space", "~tilde~", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}" })
        {
            using var response = await SendAsync(client, $$"""{"command":"mkdir","path":"d{{key.Length}}-{{key[0] % 10}}"}""", key);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"'{key}': {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_key_longer_than_two_hundred_characters_or_outside_printable_ascii_is_refused()
    {
        var client = await Steps.IntoShadowAsync();

        foreach (var key in new[] { new string('k', 201), "caf\u00e9", "tab\there", "del\u007f" })
        {
            using var response = await SendAsync(client, """{"command":"mkdir","path":"d"}""", key);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"'{key}': {response.StatusCode}");
            Assert.Equal("https://filestore.sandbox/problems/validation", await TypeAsync(response));
        }
    }

    [Fact]
    public async Task Only_a_replayed_answer_is_marked_as_replayed_and_a_replay_in_shadow_is_not_counted_again()
    {
        var client = await Steps.IntoShadowAsync();
        const string json = """{"command":"mkdir","path":"once"}""";

        using var first = await SendAsync(client, json, "shadow-once");
        using var retry = await SendAsync(client, json, "shadow-once");

        Assert.False(first.Headers.Contains(ReplayedAnswer.Header));
        Assert.Equal("true", retry.Headers.GetValues(ReplayedAnswer.Header).Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        var shadow = (await Steps.StateAsync()).GetProperty("shadow");
        Assert.Equal(1, shadow.GetProperty("success").GetInt64());
        Assert.Single((await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/shadow/plans")).EnumerateArray());
    }

    [Fact]
    public async Task A_key_whose_command_is_still_running_is_answered_in_progress_and_runs_nothing()
    {
        var client = await Steps.IntoShadowAsync();
        const string json = """{"command":"mkdir","path":"busy"}""";
        // The same request claimed by a run that has not answered yet.
        var store = App.Services.GetRequiredService<IdempotencyStore>();
        await store.ClaimAsync(IdempotencyStore.Key("staging", "billing", CutoverSteps.Principal, "busy-key"),
            IdempotencyStore.Fingerprint("staging", "billing", CutoverSteps.Principal, Encoding.UTF8.GetBytes(json)));

        using var response = await SendAsync(client, json, "busy-key");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/idempotency-in-progress", await TypeAsync(response));
        Assert.Empty((await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/shadow/plans")).EnumerateArray());
    }

    [Fact]
    public async Task A_move_is_allowed_only_when_the_policy_grants_both_its_source_and_its_destination()
    {
        var client = await Steps.IntoManagedAsync();
        await Steps.GrantAsync(commands: ["put", "move"], prefixes: ["inbox"]);
        using (var put = await Steps.CommandAsync(client, new { command = "put", path = "inbox/a.txt", text = "a" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var outward = await Steps.CommandAsync(client, new { command = "move", path = "inbox/a.txt", to = "outbox/a.txt" });
        using var inward = await Steps.CommandAsync(client, new { command = "move", path = "inbox/a.txt", to = "inbox/b.txt" });

        Assert.Equal(HttpStatusCode.Forbidden, outward.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/policy-denied", await TypeAsync(outward));
        Assert.Equal(HttpStatusCode.OK, inward.StatusCode);
        Assert.True(File.Exists(Path.Combine(Steps.Root, "inbox", "b.txt")));
        Assert.Equal("managed", (await Steps.StateAsync()).GetProperty("mode").GetString());
    }
}
