using System.Net.Http.Json;
using System.Text.Json;

namespace Sandbox.Tests.Infrastructure;

/// <summary>Calls to the running Filestore as the runbook makes them: each must succeed, and every command carries its own idempotency key.</summary>
public static class FilestoreCalls
{
    /// <summary>The answer's JSON (default for an empty body); fails the test with the problem when the call did not succeed.</summary>
    public static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {response.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Sends a command to <c>{serviceRoute}/commands</c> with a fresh idempotency key; the caller judges the answer.</summary>
    public static Task<HttpResponseMessage> CommandAsync(HttpClient client, string serviceRoute, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{serviceRoute}/commands") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return client.SendAsync(request);
    }
}
