using System.Text.Json.Serialization;

namespace FilestoreStub.Cutover;

/// <summary>How one rollback step went.</summary>
[JsonConverter(typeof(KebabCaseConverter<StepOutcome>))]
public enum StepOutcome
{
    Done,
    Failed,

    /// <summary>Not run, because an earlier step failed.</summary>
    Skipped,
}
