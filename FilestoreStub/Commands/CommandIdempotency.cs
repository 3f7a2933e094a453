namespace FilestoreStub.Commands;

/// <summary>
/// The <c>Idempotency-Key</c> of a command: checked, claimed before the command runs, and settled by its answer (a
/// command that ran keeps its answer for the key's retries; any other answer frees the key, so a retry runs again).
/// A key already used answers by itself: the kept answer replayed, the same request still running, or a different request.
/// </summary>
public sealed class CommandIdempotency(IdempotencyStore store)
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 200;

    /// <summary>Why a key cannot be used, or null when it can: 1 to 200 printable ASCII characters.</summary>
    public static IResult? KeyProblem(string key) =>
        key.Length is 0 or > MaxKeyLength || key.Any(c => c is < ' ' or > '~')
            ? Problems.Invalid(new Dictionary<string, string[]>
            {
                [Header] = [$"Send an {Header} header of 1 to {MaxKeyLength} printable ASCII characters; a retry sends the same one."],
            })
            : null;

    /// <summary>Claims the key of <paramref name="input"/> for <paramref name="principal"/>: the claim, or the answer a used key already has.</summary>
    public async Task<(ClaimedKey? Claimed, CommandAnswer? Answered)> ClaimAsync(string env, string service, string principal, CommandInput input)
    {
        var key = IdempotencyStore.Key(env, service, principal, input.Key);
        var fingerprint = IdempotencyStore.Fingerprint(env, service, principal, input.Body);
        var claim = await store.ClaimAsync(key, fingerprint);
        return claim.Verdict switch
        {
            ClaimVerdict.Claimed => (new ClaimedKey(store, key, fingerprint), null),
            ClaimVerdict.Replay => (null, new CommandAnswer(claim.Status, new ReplayedAnswer(claim.Status, claim.Response!), input.Name)),
            ClaimVerdict.Mismatch => (null, CommandAnswer.Problem(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused",
                "Idempotency key reused", $"The {Header} was already used for a different command; use a new key for a new command.", input.Name)),
            ClaimVerdict.InProgress => (null, CommandAnswer.Problem(StatusCodes.Status409Conflict, "idempotency-in-progress",
                "Command in progress", $"A command with this {Header} is running; retry in a moment to get its answer.", input.Name)),
        };
    }
}
