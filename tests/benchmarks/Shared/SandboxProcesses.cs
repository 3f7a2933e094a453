using System.Globalization;

namespace Benchmarks;

/// <summary>One process of the running sandbox and its memory, read from /proc.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="Name">The Aspire resource it belongs to, if any, and what it runs.</param>
/// <param name="Pss">Proportional set size in bytes: shared pages divided among the processes sharing them, so the sum is the sandbox's real share of memory.</param>
/// <param name="Rss">Resident set size in bytes, as <c>ps</c> and <c>top</c> show it.</param>
internal sealed record SandboxProcess(int Pid, string Name, long Pss, long Rss);

/// <summary>
/// Every process of the running sandbox (Linux): the AppHost and everything it started, found through /proc by
/// parent, so DCP, the Aspire dashboard, Redis, Prometheus and the services are all counted whatever launched them.
/// </summary>
internal static class SandboxProcesses
{
    public static IReadOnlyList<SandboxProcess> Read()
    {
        var parents = new Dictionary<int, int>();
        var commands = new Dictionary<int, string[]>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // The name in brackets may hold spaces; the parent pid is the second field after it.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z")
                {
                    continue;
                }

                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                commands[pid] = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was read.
            }
        }

        // The AppHost as `dotnet run` starts it (with that wrapper), or whatever process hosts it (a test host), which
        // DCP's API server names as the process it monitors.
        var roots = commands.Where(c => IsAppHost(c.Value) && !IsAppHost(commands.GetValueOrDefault(parents.GetValueOrDefault(c.Key)) ?? [])).Select(c => c.Key)
            .Concat(commands.Values.Where(c => c.Length > 1 && Path.GetFileName(c[0]) == "dcp" && c[1] == "start-apiserver").Select(Monitored))
            .Where(commands.ContainsKey).ToHashSet();
        var members = new HashSet<int>(roots);
        bool added;
        do
        {
            added = false;
            foreach (var (pid, parent) in parents)
            {
                if (!members.Contains(pid) && (members.Contains(parent) || members.Contains(Monitored(commands[pid]))))
                {
                    added |= members.Add(pid);
                }
            }
        }
        while (added);

        return members.Select(pid => Measure(pid, commands[pid])).OfType<SandboxProcess>().OrderByDescending(p => p.Pss).ToList();
    }

    /// <summary>DCP's API server detaches from the AppHost (its parent becomes init) but names it: <c>--monitor &lt;pid&gt;</c>.</summary>
    private static int Monitored(string[] command) =>
        Array.IndexOf(command, "--monitor") is var at and >= 0 && at + 1 < command.Length && int.TryParse(command[at + 1], out var pid) ? pid : -1;

    private static bool IsAppHost(string[] command) =>
        command.Any(a => a.EndsWith("/AppHost.dll", StringComparison.Ordinal) || a.EndsWith("/AppHost", StringComparison.Ordinal) || a == "AppHost");

    private static SandboxProcess? Measure(int pid, string[] command)
    {
        try
        {
            long pss = 0, rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                {
                    pss = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("Rss:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) * 1024;
                }
            }

            return new SandboxProcess(pid, ResourceName(pid) is { } resource ? $"{resource}: {Describe(command)}" : Describe(command), pss, rss);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The Aspire resource a process belongs to (its OTEL_SERVICE_NAME), which tells the two consumers apart.</summary>
    private static string? ResourceName(int pid)
    {
        const string Variable = "OTEL_SERVICE_NAME=";
        return File.ReadAllText($"/proc/{pid}/environ").Split('\0').FirstOrDefault(v => v.StartsWith(Variable, StringComparison.Ordinal))?[Variable.Length..];
    }

    private static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>A short name: the program, the assembly a dotnet host runs, the project <c>dotnet run</c> builds.</summary>
    private static string Describe(string[] command)
    {
        if (command.Length == 0)
        {
            return "?";
        }

        var program = Path.GetFileName(command[0]);
        if (program == "dotnet")
        {
            var project = Array.IndexOf(command, "--project");
            if (command.Length > 1 && command[1] == "run")
            {
                return $"dotnet run {(project > 0 && project + 1 < command.Length ? Path.GetFileNameWithoutExtension(command[project + 1]) : string.Empty)}".TrimEnd();
            }

            return command.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal)) is { } dll ? Path.GetFileNameWithoutExtension(dll) : "dotnet";
        }

        return command.Length > 1 && program == "dcp" ? $"dcp {command[1]}" : program;
    }

    public static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>
    /// Prints one line per process (PSS and RSS at two moments; "-" where it did not exist then) and the whole
    /// sandbox's PSS. Returns the two totals in bytes.
    /// </summary>
    public static (long First, long Second) PrintTable(IReadOnlyList<SandboxProcess> first, IReadOnlyList<SandboxProcess> second, string firstName, string secondName)
    {
        static string Mb(SandboxProcess? p, Func<SandboxProcess, long> size) => p is null ? "-" : Megabytes(size(p));
        Console.WriteLine($"{"process",-36}{$"PSS {firstName} MB",18}{$"PSS {secondName} MB",18}{$"RSS {firstName} MB",18}{$"RSS {secondName} MB",18}");
        foreach (var process in second.Concat(first.Where(b => second.All(a => a.Pid != b.Pid))))
        {
            var before = first.FirstOrDefault(b => b.Pid == process.Pid);
            var after = second.FirstOrDefault(a => a.Pid == process.Pid);
            Console.WriteLine($"{process.Name,-36}{Mb(before, p => p.Pss),18}{Mb(after, p => p.Pss),18}{Mb(before, p => p.Rss),18}{Mb(after, p => p.Rss),18}");
        }

        var totals = (first.Sum(p => p.Pss), second.Sum(p => p.Pss));
        Console.WriteLine($"{$"whole sandbox ({second.Count} processes)",-36}{Megabytes(totals.Item1),18}{Megabytes(totals.Item2),18}");
        return totals;
    }
}
