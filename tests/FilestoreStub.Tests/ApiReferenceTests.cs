using System.Net;
using System.Text.Json;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests;

/// <summary>The OpenAPI document and the Scalar page a developer opens in development.</summary>
[Collection(RedisCollection.Name)]
public sealed class ApiReferenceTests(RedisServer redis) : FilestoreTest(redis)
{
    [Fact]
    public async Task The_openapi_document_describes_every_route_and_the_bearer_scheme()
    {
        var document = JsonDocument.Parse(await App.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var route in new[]
        {
            "/envs/{env}/services/{service}/commands", "/envs/{env}/services/{service}/cutover", "/envs/{env}/services/{service}/cutover/approval",
            "/envs/{env}/services/{service}/cutover/audit", "/envs/{env}/services/{service}/publishing", "/envs/{env}/services/{service}/seed",
            "/envs/{env}/services/{service}/watcher", "/envs/{env}/policy", "/envs/{env}/services", "/access/tokens", "/faults",
            "/envs/{env}/services/{service}/watcher/probe", "/envs/{env}/services/{service}/watcher/probe/{name}", "/events/replay",
            "/queues", "/queues/{queue}/paused", "/queues/audit",
        })
        {
            Assert.Contains(paths, p => p.TrimEnd('/') == route);
        }

        var replayBody = document.GetProperty("paths").GetProperty("/events/replay").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.Equal(["application/x-ndjson", "text/plain"], replayBody.EnumerateObject().Select(c => c.Name).Order());

        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task The_scalar_reference_page_is_served()
    {
        using var response = await App.CreateClient().GetAsync("/scalar/v1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }
}
