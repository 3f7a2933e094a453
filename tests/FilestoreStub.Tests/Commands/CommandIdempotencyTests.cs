using System.Text;
using FilestoreStub.Changes;
using FilestoreStub.Commands;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Tests.Commands;

/// <summary>The idempotency step of the command path without a web host, on a real Redis: what each state of a key answers, and how an answer settles it.</summary>
[Collection(RedisCollection.Name)]
public sealed class CommandIdempotencyTests
{
    private readonly CommandIdempotency _idempotency;

    public CommandIdempotencyTests(RedisServer redis)
    {
        redis.Db.Execute("FLUSHDB");
        _idempotency = new CommandIdempotency(new IdempotencyStore(redis.Multiplexer));
    }

    private static async Task<CommandInput> InputAsync(string key, string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[CommandIdempotency.Header] = key;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return await CommandInput.ReadAsync(context.Request, 1024, CancellationToken.None);
    }

    private Task<(ClaimedKey? Claimed, CommandAnswer? Answered)> ClaimAsync(CommandInput input, string principal = "billing-app") =>
        _idempotency.ClaimAsync("staging", "billing", principal, input);

    private static CommandAnswer Ran(int status = 200) => CommandAnswer.Ran(status,
        new CommandResponse("c1", "corr", CutoverMode.Managed, true, new PlannedChange("created", "a.txt"), "cmd-c1", 1, true, DateTimeOffset.UnixEpoch), "put");

    [Fact]
    public async Task A_new_key_is_claimed_and_the_same_request_meanwhile_is_told_it_is_in_progress()
    {
        var input = await InputAsync("k1", """{"command":"mkdir","path":"a"}""");

        var (claimed, answered) = await ClaimAsync(input);
        Assert.NotNull(claimed);
        Assert.Null(answered);

        var (_, again) = await ClaimAsync(input);
        Assert.Equal((409, "mkdir"), (again!.Status, again.Command));
        Assert.Contains("idempotency-in-progress", ((ProblemHttpResult)again.Result).ProblemDetails.Type);
    }

    [Fact]
    public async Task An_answer_of_a_command_that_ran_is_kept_and_replayed_byte_for_byte_with_its_status()
    {
        var input = await InputAsync("k2", """{"command":"put","path":"a.txt","text":"x"}""");
        var (claimed, _) = await ClaimAsync(input);
        var answer = claimed!.SettledBy(Ran(202));
        await answer.Settle!();

        var (_, replay) = await ClaimAsync(input);

        Assert.True(replay!.IsReplay);
        Assert.Equal((202, "put"), (replay.Status, replay.Command));
        var written = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        await replay.ExecuteAsync(written);
        written.Response.Body.Position = 0;
        Assert.Equal(((RanAnswer)answer.Result).Json, await new StreamReader(written.Response.Body).ReadToEndAsync());
        Assert.Equal("true", written.Response.Headers[ReplayedAnswer.Header]);
    }

    [Fact]
    public async Task Any_other_answer_frees_the_key_so_a_retry_runs_again()
    {
        var input = await InputAsync("k3", """{"command":"delete","path":"gone.txt"}""");
        var (claimed, _) = await ClaimAsync(input);
        var refused = claimed!.SettledBy(CommandAnswer.Problem(404, "not-found", "Not found", "gone.txt does not exist", "delete"));
        await refused.Settle!();

        var (again, answered) = await ClaimAsync(input);

        Assert.NotNull(again);
        Assert.Null(answered);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422_and_the_same_key_of_another_principal_is_its_own()
    {
        var first = await InputAsync("k4", """{"command":"mkdir","path":"a"}""");
        var other = await InputAsync("k4", """{"command":"mkdir","path":"b"}""");
        await ClaimAsync(first);

        var (_, mismatch) = await ClaimAsync(other);
        var (ofAnother, _) = await ClaimAsync(other, principal: "billing-batch");

        Assert.Equal(422, mismatch!.Status);
        Assert.Contains("idempotency-key-reused", ((ProblemHttpResult)mismatch.Result).ProblemDetails.Type);
        Assert.NotNull(ofAnother);
    }
}
