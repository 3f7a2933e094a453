using System.Text.Json.Serialization;

namespace FilestoreStub.Cutover;

/// <summary>What a transition request came to.</summary>
[JsonConverter(typeof(KebabCaseConverter<TransitionResult>))]
public enum TransitionResult
{
    /// <summary>The mode changed.</summary>
    Switched,

    /// <summary>A gate failed; nothing changed.</summary>
    Refused,

    /// <summary>A rollback step failed; the mode stayed.</summary>
    Failed,

    /// <summary>No such transition from the current mode.</summary>
    NotAllowed,

    /// <summary>The mode changed meanwhile.</summary>
    Conflict,
}
