using FilestoreStub.Access;
using FilestoreStub.Changes;

namespace FilestoreStub.Commands;

/// <summary>Who runs a command, on which service, in which cutover mode, under which correlation id.</summary>
public sealed record CommandScope(string Env, string Service, CutoverMode Mode, Principal Principal, string CorrelationId)
{
    /// <summary>The scope <see cref="CommandGate"/> admitted the request with.</summary>
    public static CommandScope Of(HttpContext context) =>
        context.Features.Get<CommandScope>() ?? throw new InvalidOperationException("The command gate did not admit this request.");
}
