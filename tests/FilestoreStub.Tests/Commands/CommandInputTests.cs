using System.Text;
using FilestoreStub.Commands;
using Microsoft.AspNetCore.Http;

namespace FilestoreStub.Tests.Commands;

/// <summary>Reading a command request without a web host: the key, the size limit and the body, in that order.</summary>
public sealed class CommandInputTests
{
    private static Task<CommandInput> ReadAsync(string? key, string body, int limit = 1024)
    {
        var context = new DefaultHttpContext();
        if (key is not null)
        {
            context.Request.Headers[CommandIdempotency.Header] = key;
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        return CommandInput.ReadAsync(context.Request, limit, CancellationToken.None).AsTask();
    }

    [Fact]
    public async Task A_well_formed_request_carries_its_key_its_bytes_and_the_command()
    {
        const string body = """{"command":"move","path":"a.txt","to":"b.txt"}""";
        var input = await ReadAsync("key-1", body);

        Assert.Null(input.Refusal);
        Assert.Equal("key-1", input.Key);
        Assert.Equal(body, Encoding.UTF8.GetString(input.Body));
        Assert.Equal(new FileCommand("move", "a.txt", "b.txt"), input.Command);
        Assert.Equal("move", input.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tab\there")]
    [InlineData("é")]
    public async Task A_missing_or_unusable_key_is_refused_before_the_body_is_read(string? key)
    {
        var input = await ReadAsync(key, new string('x', 5000));

        Assert.Equal(400, input.Refusal!.Status);
        Assert.Null(input.Command);
        Assert.Equal(CommandAnswer.NoCommand, input.Name);
    }

    [Fact]
    public async Task A_key_of_the_longest_allowed_length_is_taken_and_one_more_character_is_not()
    {
        Assert.Null((await ReadAsync(new string('k', CommandIdempotency.MaxKeyLength), """{"command":"mkdir","path":"a"}""")).Refusal);
        Assert.Equal(400, (await ReadAsync(new string('k', CommandIdempotency.MaxKeyLength + 1), """{"command":"mkdir","path":"a"}""")).Refusal!.Status);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_one_at_the_limit_is_read()
    {
        var atLimit = """{"command":"put","path":"a.txt","text":"" }""";
        atLimit = atLimit.Replace("\"\"", "\"" + new string('x', 100 - atLimit.Length) + "\"");
        Assert.Equal(100, atLimit.Length);

        Assert.Null((await ReadAsync("k", atLimit, limit: 100)).Refusal);
        Assert.Equal(413, (await ReadAsync("k", atLimit + " ", limit: 100)).Refusal!.Status);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"command":"explode","path":"a"}""")]
    [InlineData("""{"command":"put","path":"a"}""")]
    [InlineData("""{"command":"mkdir","path":"a","text":"only for put"}""")]
    [InlineData("""{"command":"mkdir","path":"a","content":"b25seSBmb3IgcHV0"}""")]
    [InlineData("""{"Command":"mkdir","Path":"a"}""")]
    public async Task A_body_that_is_not_a_valid_command_is_400_and_names_no_command(string body)
    {
        var input = await ReadAsync("k", body);

        Assert.Equal(400, input.Refusal!.Status);
        Assert.Null(input.Command);
        Assert.Equal(CommandAnswer.NoCommand, input.Refusal.Command);
    }
}
