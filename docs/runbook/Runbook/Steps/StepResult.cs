using System.Text.Json.Serialization;

namespace Runbook.Steps;

[JsonConverter(typeof(JsonStringEnumConverter<StepOutcome>))]
public enum StepOutcome
{
    /// <summary>The step did what it says, or its check held.</summary>
    Passed,

    /// <summary>The step's check did not hold; the procedure stopped here.</summary>
    Failed,
}

/// <summary>
/// One verified step of a procedure, as the journal keeps it and the sign-off quotes it: what was done or checked, the
/// evidence, when and by whom. <see cref="Run"/> ties the steps of one procedure run together.
/// </summary>
public sealed record StepResult(
    string Run,
    string Procedure,
    string Step,
    StepOutcome Outcome,
    string Evidence,
    DateTimeOffset At,
    string By,
    string Target,
    string? Env,
    string? Service,
    double? Seconds = null);

/// <summary>What a procedure ends with: its steps, in order, and whether all held.</summary>
public sealed record ProcedureReport(string Run, string Procedure, string? Env, string? Service, IReadOnlyList<StepResult> Steps)
{
    public bool Passed => Steps.Count > 0 && Steps.All(s => s.Outcome == StepOutcome.Passed);
}
