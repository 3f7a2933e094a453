using Runbook.Procedures;
using Runbook.Steps;

namespace Sandbox.Tests.Runbook;

/// <summary>The Markdown of a sign-off: every verified step one table row, whatever its evidence holds.</summary>
public sealed class SignoffMarkdownTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 14, 9, 30, 0, TimeSpan.Zero);

    private static StepResult Step(string procedure, string step, StepOutcome outcome, string evidence, int minute, string by = "dana") =>
        new($"{procedure}-run", procedure, step, outcome, evidence, At.AddMinutes(minute), by, "sandbox", "production", "billing", 1.5);

    private static readonly StepResult[] Steps =
    [
        Step("checklist", "healthy", StepOutcome.Passed, "Filestore healthy, metastore healthy, timestore healthy.", 0),
        Step("dry-run", "gate:shadow-commands", StepOutcome.Passed, "25 | 20 shadow commands", 1),
        Step("approve", "approval", StepOutcome.Failed, "Filestore refused the token: 403 a|b|c", 2, by: "operator"),
        Step("approve", "approval", StepOutcome.Passed, "Approved by erin at 2026-03-14T09:33:00Z: CHG-1", 3, by: "erin"),
        Step("rollback", "roll-back", StepOutcome.Passed, "disable-watcher done | stop-publishing done\nsecond line", 4),
    ];

    private static SignoffRecord Record(IReadOnlyList<DrillRecord>? drills = null) => new(
        "cutover", "sandbox", "production", "billing", At.AddHours(1), ["dana"], "erin", Steps,
        [new GateRecord("shadow -> managed", "approval", true, "Approved by erin at 2026-03-14T09:33:00Z | CHG-1", At.AddMinutes(3))],
        drills ?? [new DrillRecord("watcher-off", "DriftWatcherDisabledOnManagedService", 31.4, true, At.AddMinutes(4))],
        true, "No manual file-system edit was needed.");

    private static List<string> StepRows(string markdown) =>
        markdown.ReplaceLineEndings("\n").Split('\n').SkipWhile(l => l != "## Steps").Skip(4).TakeWhile(l => l.StartsWith('|')).ToList();

    [Fact]
    public void Every_step_is_one_row_with_its_outcome_procedure_step_escaped_evidence_time_and_person()
    {
        var rows = StepRows(Signoff.Markdown(Record()));

        Assert.Equal(
        [
            @"| [x] | checklist | healthy | Filestore healthy, metastore healthy, timestore healthy. | 2026-03-14 09:30:00Z | dana |",
            @"| [x] | dry-run | gate:shadow-commands | 25 \| 20 shadow commands | 2026-03-14 09:31:00Z | dana |",
            @"| [ ] | approve | approval | Filestore refused the token: 403 a\|b\|c | 2026-03-14 09:32:00Z | operator |",
            @"| [x] | approve | approval | Approved by erin at 2026-03-14T09:33:00Z: CHG-1 | 2026-03-14 09:33:00Z | erin |",
            @"| [x] | rollback | roll-back | disable-watcher done \| stop-publishing done second line | 2026-03-14 09:34:00Z | dana |",
        ], rows);
    }

    [Fact]
    public void No_evidence_adds_a_column_every_row_of_the_steps_table_has_six_cells()
    {
        var rows = StepRows(Signoff.Markdown(Record()));

        // Cells are split at pipes that are not escaped; the leading and trailing pipe give one empty cell each side.
        Assert.All(rows, row => Assert.Equal(6 + 2, System.Text.RegularExpressions.Regex.Split(row, @"(?<!\\)\|").Length));
    }

    [Fact]
    public void The_header_gates_drills_and_signatures_are_rendered_with_gate_details_escaped()
    {
        var markdown = Signoff.Markdown(Record()).ReplaceLineEndings("\n");

        Assert.StartsWith("# Sign-off: cutover of billing in production\n", markdown, StringComparison.Ordinal);
        Assert.Contains("- Operator: dana\n", markdown, StringComparison.Ordinal);
        Assert.Contains("- Approver: erin\n", markdown, StringComparison.Ordinal);
        Assert.Contains(@"| shadow -> managed | approval | yes | Approved by erin at 2026-03-14T09:33:00Z \| CHG-1 | 2026-03-14 09:33:00Z |", markdown, StringComparison.Ordinal);
        Assert.Contains("| watcher-off | DriftWatcherDisabledOnManagedService | 31 s | 2026-03-14 09:34:00Z |", markdown, StringComparison.Ordinal);
        Assert.Contains("| approver | erin | |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rehearsal_without_drills_says_so()
    {
        Assert.Contains("No drill was run during this rehearsal.", Signoff.Markdown(Record(drills: [])), StringComparison.Ordinal);
    }
}
