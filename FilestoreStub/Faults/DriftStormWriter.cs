using System.Diagnostics;
using FilestoreStub.Roots;

namespace FilestoreStub.Faults;

/// <summary>
/// Writes the drift storm: while one is set, it creates, rewrites and deletes files under <c>drift-storm/</c> of the
/// chosen root at the set rate, straight on disk as an out-of-band writer would, so the watcher reports real drift.
/// It cycles over a fixed set of names, so a long storm does not fill the disk.
/// </summary>
internal sealed class DriftStormWriter(FaultStore faults, ManagedRoots roots, ILogger<DriftStormWriter> logger) : BackgroundService
{
    public const string Folder = "drift-storm";
    private const int Names = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        var written = 0L;
        DriftStorm? current = null;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (faults.Current.DriftStorm != current)
            {
                (current, written) = (faults.Current.DriftStorm, 0);
                clock.Restart();
            }

            if (current is null)
            {
                continue;
            }

            var due = (long)(clock.Elapsed.TotalSeconds * current.ChangesPerSecond);
            try
            {
                for (; written < due; written++)
                {
                    Change(current, written);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Paths.PathRejectedException)
            {
                StormLog.Failed(logger, current.Env, current.Service, e.Message);
                written = due;
            }
        }
    }

    private void Change(DriftStorm storm, long n)
    {
        var path = roots.Resolve(storm.Env, storm.Service, $"{Folder}/storm-{n % Names:00}.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path.FullPath)!);
        path.EnsureNoLinks();
        if (File.Exists(path.FullPath) && Random.Shared.Next(3) == 0)
        {
            File.Delete(path.FullPath);
        }
        else
        {
            File.WriteAllText(path.FullPath, $"drift storm change {n} at {DateTimeOffset.UtcNow:O}\n");
        }
    }
}

internal static partial class StormLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift storm in {Env}/{Service} could not write: {Error}")]
    public static partial void Failed(ILogger logger, string env, string service, string error);
}
