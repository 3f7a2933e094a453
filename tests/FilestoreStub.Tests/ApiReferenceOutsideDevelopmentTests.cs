using System.Net;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests;

/// <summary>The OpenAPI document and the Scalar page are a developer's aids: outside development they are not served at all.</summary>
[Collection(RedisCollection.Name)]
public sealed class ApiReferenceOutsideDevelopmentTests(RedisServer redis) : FilestoreTest(redis)
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Neither_the_openapi_document_nor_the_scalar_page_is_mapped_or_served(string environment)
    {
        await using var app = App.WithWebHostBuilder(builder => builder.UseEnvironment(environment));
        var client = app.CreateClient();
        // Even with the operator's token: not hidden behind authentication, absent.
        client.DefaultRequestHeaders.Authorization = new("Bearer", FilestoreApp.OperatorToken);

        var patterns = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText!).ToList();
        using var document = await client.GetAsync("/openapi/v1.json");
        using var page = await client.GetAsync("/scalar/v1");

        Assert.DoesNotContain(patterns, p => p.StartsWith("/openapi", StringComparison.Ordinal) || p.StartsWith("/scalar", StringComparison.Ordinal));
        Assert.Contains("/envs/{env}/services/{service}/commands/", patterns);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (document.StatusCode, page.StatusCode));
    }
}
