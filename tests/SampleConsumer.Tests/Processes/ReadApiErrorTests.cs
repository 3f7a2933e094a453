using System.Net;
using System.Text.Json;
using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>The read API's answers to questions it cannot answer: each a problem that says why, never a 500, never a read outside the data folder.</summary>
[Collection(RedisCollection.Name)]
public sealed class ReadApiErrorTests(RedisServer redis) : ConsumerTest(redis)
{
    private const string Paths = $"/envs/{Workload.Env}/services/{Workload.Service}/paths";

    [Fact]
    public async Task A_path_question_without_a_path_is_400_and_a_path_never_published_is_404()
    {
        await using var consumer = await StartAsync("metastore");

        using var noPath = await consumer.Http.GetAsync(Paths);
        using var unknown = await consumer.Http.GetAsync($"{Paths}?path=never/published.txt");

        Assert.Equal(HttpStatusCode.BadRequest, noPath.StatusCode);
        Assert.Equal("No path", (await ProblemAsync(noPath)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_consistency_check_without_a_data_directory_is_409_and_says_what_is_missing()
    {
        // An empty Consumer:DataDirectory, as a consumer deployed without access to the roots has.
        await using var consumer = await ConsumerProcess.StartAsync(Redis, "metastore", dataDirectory: "");

        using var response = await consumer.Http.GetAsync(Consistency);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Consumer:DataDirectory", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..%5C..%5Coutside", Workload.Service)]
    [InlineData(Workload.Env, "..%5Coutside")]
    [InlineData("..%2F..", Workload.Service)]
    [InlineData(Workload.Env, "...")]
    [InlineData(Workload.Env, "a%00b")]
    public async Task Names_that_are_not_plain_are_refused_before_anything_is_read(string env, string service)
    {
        // A folder beside the data directory with a file in it: a check that wandered there would report it as missing.
        var outside = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(DataDirectory)!, $"outside-{Guid.NewGuid():N}"));
        try
        {
            File.WriteAllText(Path.Combine(outside.FullName, "secret.txt"), "not the consumer's");
            await using var consumer = await StartAsync("metastore");

            foreach (var question in new[] { "consistency", "totals", "paths?path=secret.txt" })
            {
                using var response = await consumer.Http.GetAsync($"/envs/{env}/services/{service}/{question}");
                var body = await response.Content.ReadAsStringAsync();

                Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{question}: {response.StatusCode} {body}");
                Assert.DoesNotContain("secret.txt", body, StringComparison.Ordinal);
            }
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
