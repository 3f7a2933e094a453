using FilestoreStub.Changes;
using FilestoreStub.Paths;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Commands;

/// <summary>
/// How a command was answered: the status, what is written back, the command's name for the metrics (<c>invalid</c>
/// when the request named none) and, in shadow mode, the plan the shadow ledger records.
/// </summary>
public sealed record CommandAnswer(int Status, IResult Result, string Command = CommandAnswer.NoCommand, ShadowPlan? Plan = null) : IResult
{
    public const string NoCommand = "invalid";

    /// <summary>Keeps or releases the idempotency key; run together with the shadow record to save a round trip.</summary>
    public Func<Task>? Settle { get; init; }

    /// <summary>A kept answer written again for a retry: not a new command, so it is not recorded in the shadow ledger.</summary>
    public bool IsReplay => Result is ReplayedAnswer;

    public Task ExecuteAsync(HttpContext httpContext) => Result.ExecuteAsync(httpContext);

    /// <summary>A command that ran (planned or executed), with its answer as the JSON kept for its key.</summary>
    public static CommandAnswer Ran(int status, CommandResponse response, string command, ShadowPlan? plan = null) =>
        new(status, new RanAnswer(status, response), command, plan);

    public static CommandAnswer Problem(int status, string type, string title, string detail, string command = NoCommand) =>
        new(status, Problems.Result(status, type, title, detail), command);

    public static CommandAnswer Refused(int status, IResult problem, string command = NoCommand) => new(status, problem, command);

    /// <summary>The refusal of a path the rules do not allow, or of a command the disk does not allow (a delete of nothing).</summary>
    public static CommandAnswer Rejected(Exception e, string command) => e switch
    {
        CommandRejectedException rejected => Problem(rejected.Status, rejected.Type, "The command cannot be applied", rejected.Message, command),
        PathRejectedException path => Refused(StatusCodes.Status400BadRequest, PathProblem(path), command),
        _ => throw new ArgumentException($"{e.GetType().Name} is not a refusal.", nameof(e)),
    };

    public static ProblemHttpResult PathProblem(PathRejectedException e) =>
        Problems.Result(StatusCodes.Status400BadRequest, "invalid-path", "The path is not allowed", e.Message,
            new Dictionary<string, object?> { ["reason"] = e.Reason });
}
