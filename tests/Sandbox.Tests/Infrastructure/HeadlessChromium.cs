using System.Diagnostics;

namespace Sandbox.Tests.Infrastructure;

/// <summary>Debian's Chromium, headless, loading a page and returning its DOM once its scripts have run.</summary>
public static class HeadlessChromium
{
    private const string Binary = "/usr/bin/chromium";

    public static async Task<string> RenderedDomAsync(Uri page)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install Debian's chromium package (tests/run.sh does).");
        using var profile = new TempDirectory("chromium");
        var start = new ProcessStartInfo(Binary,
        [
            // As root (CI) Chromium needs --no-sandbox; the rest keep it off this machine's closed network.
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.Path}",
            // Lets the page's scripts run their queries (virtual time waits for the network) before the DOM is read.
            "--virtual-time-budget=15000", "--dump-dom", page.AbsoluteUri,
        ]);
        var run = await ProgramRun.RunAsync(start, Waits.Process);

        Assert.True(run.ExitCode == 0, $"chromium exited with {run.ExitCode}: {run.Stderr}");
        return run.Stdout;
    }
}
