namespace Sandbox.AppHost;

/// <summary>
/// The sandbox's own servers (<c>redis-server</c>, <c>prometheus</c>) already running from a state directory: a sandbox
/// that is still up, or the servers of one whose orchestrator (DCP) was killed without stopping them; the sandbox runs
/// DCP without its per-process monitors to save memory (<c>DCP_DISABLE_MONITOR_PROCESS</c> in the launch profile).
/// Two Redis servers on one append-only file would corrupt it, so the AppHost refuses to start beside them. They are
/// found by their working directory, which DCP sets inside the state directory; read from <c>/proc</c>, so on a
/// machine without it (macOS) nothing is found.
/// </summary>
public static class LeftoverServers
{
    private static readonly string[] Names = ["redis-server", "prometheus"];

    public static IReadOnlyList<(int Pid, string Name)> In(string stateDirectory)
    {
        if (!Directory.Exists("/proc"))
        {
            return [];
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(stateDirectory)) + Path.DirectorySeparatorChar;
        var found = new List<(int, string)>();
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out var pid))
            {
                continue;
            }

            try
            {
                var name = File.ReadAllText(Path.Combine(process, "comm")).TrimEnd('\n');
                var workingDirectory = Names.Contains(name) ? new FileInfo(Path.Combine(process, "cwd")).LinkTarget : null;
                if (workingDirectory is not null && (workingDirectory + Path.DirectorySeparatorChar).StartsWith(root, StringComparison.Ordinal))
                {
                    found.Add((pid, name));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Ended while we looked, or another user's process: not one of ours either way.
            }
        }

        return found;
    }

    /// <summary>Stops the start with one line naming the servers when any run from <paramref name="stateDirectory"/>.</summary>
    public static void EnsureNone(string stateDirectory)
    {
        var leftovers = In(stateDirectory);
        if (leftovers.Count > 0)
        {
            throw new SandboxSetupException(
                $"{string.Join(" and ", leftovers.Select(l => $"{l.Name} (pid {l.Pid})"))} already run from {stateDirectory}: "
                + "another sandbox is running there, or its servers outlived it. Stop that sandbox, or end them with "
                + $"'kill {string.Join(' ', leftovers.Select(l => l.Pid))}', then start again; or start this one with another "
                + "--Sandbox:StateDirectory.");
        }
    }
}
