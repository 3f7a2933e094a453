using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Runbook.Steps;

namespace Runbook.Procedures;

/// <summary>A transition's gate as Filestore reported it in its audit stream.</summary>
public sealed record GateRecord(string Transition, string Gate, bool Passed, string Detail, DateTimeOffset At);

/// <summary>A drill run during the rehearsal and how long it took to page.</summary>
public sealed record DrillRecord(string Scenario, string? PagedBy, double? TimeToPageSeconds, bool Passed, DateTimeOffset At);

/// <summary>The sign-off of a dry-run or a cutover: everything verified, by whom, and the statement it all backs.</summary>
public sealed record SignoffRecord(
    string Kind,
    string Target,
    string Env,
    string Service,
    DateTimeOffset WrittenAt,
    IReadOnlyList<string> Operators,
    string Approver,
    IReadOnlyList<StepResult> Steps,
    IReadOnlyList<GateRecord> Gates,
    IReadOnlyList<DrillRecord> Drills,
    bool NoManualFileSystemEdits,
    string Statement);

/// <summary>
/// Writes the sign-off record of a service's rehearsal from the journal (every step the runbook verified) and
/// Filestore's audit stream (the gates as Filestore checked them): Markdown for people, JSON for machines. It refuses,
/// naming what is missing, unless a passed dry-run is in the journal and every step since then held.
/// </summary>
public static partial class Signoff
{
    private static readonly JsonSerializerOptions Indented = new(Journal.Json) { WriteIndented = true };

    /// <summary>The last check of each procedure whose completion the record relies on.</summary>
    private static readonly Dictionary<string, string> FinalSteps = new()
    {
        ["dry-run"] = "no-manual-edits",
        ["cutover"] = "audit",
        ["rollback"] = "audit",
    };

    public sealed record Written(SignoffRecord Record, string MarkdownFile, string JsonFile);

    public static async Task<Written> WriteAsync(RunbookSession session, string env, string service, string? outDirectory = null, CancellationToken ct = default)
    {
        var journal = (await session.Journal.ReadAsync()).Where(s => s.Target == session.Target.Name).ToList();
        var runs = journal.GroupBy(s => s.Run).Select(g => g.ToList()).ToList();
        bool Concerns(List<StepResult> run) => run[0].Env == env && (run[0].Service is null || run[0].Service == service);
        // A run passed when every step held and it got to its last check: a run cut short proves only what it reached.
        bool Passed(List<StepResult> run) => run.All(s => s.Outcome == StepOutcome.Passed)
                                             && (!FinalSteps.TryGetValue(run[0].Procedure, out var last) || run.Any(s => s.Step == last));

        var dryRun = runs.LastOrDefault(r => r[0].Procedure == "dry-run" && r[0].Service == service && r[0].Env == env && Passed(r) && r.Any(s => s.Step == "no-manual-edits"))
            ?? throw new CheckFailedException($"No passed dry-run of {env}/{service} in {session.Journal.FilePath}: run runbook dry-run {env} {service} first.");
        var since = dryRun[0].At;
        // The checklist that preceded the dry-run counts too: the latest one of the environment that covered this service.
        var checklist = runs.LastOrDefault(r => r[0].Procedure == "checklist" && Concerns(r) && r[0].At <= since && r.Any(s => s.Step.EndsWith($":{service}", StringComparison.Ordinal)));
        var included = runs.Where(r => r[0].At >= since && Concerns(r))
            .Prepend(checklist).OfType<List<StepResult>>().Distinct().OrderBy(r => r[0].At).ToList();
        var cutover = included.LastOrDefault(r => r[0].Procedure == "cutover" && Passed(r));
        // A failed attempt that a later run of the same procedure repeated successfully is listed, not held against the record.
        bool Repeated(List<StepResult> run) => included.Any(r => r[0].At > run[0].At && r[0].Procedure == run[0].Procedure && r[0].Env == run[0].Env
                                                                  && r[0].Service == run[0].Service && Passed(r));
        var failed = included.Where(r => !Passed(r) && !Repeated(r))
            .Select(r => $"{r[0].Procedure} at {r[0].At:u}: {r.First(s => s.Outcome == StepOutcome.Failed).Evidence}").ToList();
        if (failed.Count > 0)
        {
            throw new CheckFailedException($"Not signed: a step failed since the dry-run ({failed[0]}){(failed.Count > 1 ? $" and {failed.Count - 1} more" : string.Empty)}; repeat it until it holds.");
        }

        var gates = await GatesAsync(session, env, service, since, ct);
        var approver = gates.Where(g => g.Gate == "approval" && g.Passed).Select(g => ApprovedBy().Match(g.Detail)).Where(m => m.Success).Select(m => m.Groups[1].Value).LastOrDefault()
            ?? included.LastOrDefault(r => r[0].Procedure == "approve")?[0].By;
        var rolledBack = cutover is null ? null : included.LastOrDefault(r => r[0].Procedure == "rollback" && r[0].At > cutover[0].At && Passed(r));
        var kind = cutover is null ? "dry-run" : rolledBack is null ? "cutover" : $"cutover, rolled back at {rolledBack[^1].At:u}";
        if (cutover is not null && approver is null)
        {
            throw new CheckFailedException($"The cutover of {env}/{service} has no recorded approval in Filestore's audit: nothing to sign.");
        }

        var steps = included.SelectMany(r => r).ToList();
        var drills = included.Where(r => r[0].Procedure.StartsWith("drill:", StringComparison.Ordinal)).Select(r =>
        {
            var page = r.FirstOrDefault(s => s.Step == "page");
            return new DrillRecord(r[0].Procedure["drill:".Length..], page is null ? null : page.Evidence.Split(' ')[0], page?.Seconds, Passed(r), r[0].At);
        }).ToList();
        var ledger = dryRun.Single(s => s.Step == "no-manual-edits");
        var consistency = (cutover ?? dryRun).Last(s => s.Step is "stores-consistent" or "no-manual-edits");
        var retried = steps.Count(s => s.Outcome == StepOutcome.Failed);
        var statement = $"No manual file-system edit was needed. All {steps.Count} steps above ran through Filestore's API, the consumers' API, "
                        + "Redis and Prometheus; every procedure's last run held"
                        + (retried > 0 ? $" ({retried} failed steps of earlier attempts are listed unchecked; each was repeated and held)" : string.Empty)
                        + (session.Journal.Skipped > 0
                            ? $" ({session.Journal.Skipped} unreadable journal lines, from a run killed while writing, were left out)"
                            : string.Empty)
                        + $". During the shadow run: {ledger.Evidence} At {consistency.At:u} both consumers matched the disk.";
        var record = new SignoffRecord(kind, session.Target.Name, env, service, session.Time.GetUtcNow(),
            steps.Where(s => s.Procedure != "approve").Select(s => s.By).Distinct().ToList(), approver ?? "not yet (dry-run)", steps, gates, drills, true, statement);

        var directory = outDirectory ?? session.Journal.Directory;
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"signoff-{env}-{service}-{record.WrittenAt:yyyyMMdd'T'HHmmss'Z'}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(record, Indented), ct);
        await File.WriteAllTextAsync(stem + ".md", Markdown(record), ct);
        return new Written(record, stem + ".md", stem + ".json");
    }

    private static async Task<List<GateRecord>> GatesAsync(RunbookSession session, string env, string service, DateTimeOffset since, CancellationToken ct)
    {
        var audit = await session.Filestore.GetAsync($"{Checks.ServiceRoute(env, service)}/cutover/audit?count=200", ct);
        return audit.EnumerateArray()
            .Where(e => e.GetProperty("outcome").GetString() == "switched" && e.GetProperty("at").GetDateTimeOffset() >= since.AddMinutes(-1))
            .Reverse()
            .SelectMany(e => e.GetProperty("gates").EnumerateArray().Select(g => new GateRecord(
                $"{e.GetProperty("from").GetString()} -> {e.GetProperty("to").GetString()}", g.GetProperty("name").GetString()!,
                g.GetProperty("passed").GetBoolean(), g.GetProperty("detail").GetString()!, e.GetProperty("at").GetDateTimeOffset())))
            .ToList();
    }

    public static string Markdown(SignoffRecord record)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Sign-off: {record.Kind} of {record.Service} in {record.Env}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"- Target: {record.Target}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Written: {record.WrittenAt:u}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Operator: {string.Join(", ", record.Operators)}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Approver: {record.Approver}")
            .AppendLine()
            .AppendLine("## Statement")
            .AppendLine()
            .AppendLine(record.Statement)
            .AppendLine()
            .AppendLine("## Steps")
            .AppendLine()
            .AppendLine("| | procedure | step | evidence | at | by |")
            .AppendLine("|---|---|---|---|---|---|");
        foreach (var step in record.Steps)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {(step.Outcome == StepOutcome.Passed ? "[x]" : "[ ]")} | {step.Procedure} | {step.Step} | {Cell(step.Evidence)} | {step.At:u} | {step.By} |");
        }

        md.AppendLine().AppendLine("## Gates as Filestore checked them").AppendLine().AppendLine("| transition | gate | passed | detail | at |").AppendLine("|---|---|---|---|---|");
        foreach (var gate in record.Gates)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {gate.Transition} | {gate.Gate} | {(gate.Passed ? "yes" : "no")} | {Cell(gate.Detail)} | {gate.At:u} |");
        }

        md.AppendLine().AppendLine("## Drills").AppendLine();
        if (record.Drills.Count == 0)
        {
            md.AppendLine("No drill was run during this rehearsal.");
        }
        else
        {
            md.AppendLine("| scenario | paged by | time to page | at |").AppendLine("|---|---|---|---|");
            foreach (var drill in record.Drills)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {drill.Scenario} | {(drill.Passed ? drill.PagedBy ?? "(pages nothing by design)" : "did not complete (repeated below)")} | {(drill.TimeToPageSeconds is { } s ? $"{s:0} s" : "-")} | {drill.At:u} |");
            }
        }

        md.AppendLine().AppendLine("## Signatures").AppendLine().AppendLine("| role | name | date |").AppendLine("|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| operator | {string.Join(", ", record.Operators)} | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| approver | {record.Approver} | |");
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    [GeneratedRegex(@"Approved by (\S+) at")]
    private static partial Regex ApprovedBy();
}
