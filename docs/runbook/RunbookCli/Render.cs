using System.Text.Json;
using Runbook.Procedures;
using Runbook.Targets;
using Spectre.Console;

namespace RunbookCli;

/// <summary>Tables for the commands that show state rather than run steps.</summary>
internal static class Render
{
    public static void Status(IAnsiConsole console, StatusReport report)
    {
        var components = new Table().Title($"[bold]{report.Target}[/]").AddColumns("component", "address", "health");
        foreach (var c in report.Components)
        {
            components.AddRow(c.Name, c.Url, c.Health == "Healthy" ? $"[green]{c.Health}[/]" : $"[red]{Markup.Escape(c.Health)}[/]");
        }

        console.Write(components);
        var services = new Table().AddColumns("env", "service", "mode", "watcher", "publishing");
        foreach (var s in report.Services)
        {
            services.AddRow(s.Env, s.Service, s.Mode, s.WatcherEnabled ? "on" : "off", s.PublishingPaused ? "[yellow]paused[/]" : "on");
        }

        console.Write(services);
        if (report.Queues.Count > 0)
        {
            Queues(console, report.Queues);
        }

        foreach (var budget in report.Budgets)
        {
            console.MarkupLineInterpolated($"SLO budget {budget.Slo}: {Checks.Percent(budget.Remaining)} left");
        }

        console.MarkupLineInterpolated($"Alerts firing: {(report.Firing.Count == 0 ? "none" : string.Join(", ", report.Firing.Select(a => $"{a.Name} [{a.Severity}] {a.Where}")))}");
        if (report.AlertsPage is { } page)
        {
            console.MarkupLineInterpolated($"Alerts page: {page}");
        }
    }

    public static void Queues(IAnsiConsole console, IReadOnlyList<QueueState> queues)
    {
        var table = new Table().AddColumns("queue", "waiting", "active", "delayed", "prioritized", "failed", "completed", "paused", "oldest waiting", "consumers");
        foreach (var q in queues)
        {
            table.AddRow(q.Queue, $"{q.Counts["waiting"]}", $"{q.Counts["active"]}", $"{q.Counts["delayed"]}", $"{q.Counts["prioritized"]}",
                $"{q.Counts["failed"]}", $"{q.Counts["completed"]}", q.Paused ? "[yellow]yes[/]" : "no", $"{q.OldestWaiting.TotalSeconds:0} s",
                q.Workers == 0 ? "[yellow]none[/]" : $"{q.Workers}");
        }

        console.Write(table);
    }

    public static void QueueAudit(IAnsiConsole console, JsonElement entries)
    {
        var table = new Table().AddColumns("at", "queue", "action", "by", "reason");
        foreach (var e in entries.EnumerateArray())
        {
            string Field(string name) => e.TryGetProperty(name, out var v) ? v.ToString() : string.Empty;
            table.AddRow(Markup.Escape(Field("at")), Field("queue"), Field("action"), Field("by"), Markup.Escape(Field("reason")));
        }

        console.Write(table);
    }
}
