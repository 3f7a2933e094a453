using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sandbox.AppHost;

/// <summary>
/// Watches the resources marked <see cref="RestartOnFailureAnnotation"/> and starts a crashed one again after its
/// backoff, through the same start command as the dashboard's button. Without it a crashed <c>redis-server</c> in
/// executables mode stays down and the sandbox has to be restarted by hand.
/// </summary>
internal sealed partial class CrashedResourceRestarter(
    DistributedApplicationModel model, ResourceNotificationService notifications, ResourceCommandService commands, TimeProvider time,
    ILogger<CrashedResourceRestarter> logger) : BackgroundService
{
    private readonly Dictionary<string, (DateTimeOffset RunningSince, int CrashesInARow, bool Running)> _seen = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = model.Resources.Where(r => r.HasAnnotationOfType<RestartOnFailureAnnotation>()).Select(r => r.Name).ToHashSet();
        if (watched.Count == 0)
        {
            return;
        }

        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (watched.Contains(update.Resource.Name))
                {
                    await OnUpdateAsync(update, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task OnUpdateAsync(ResourceEvent update, CancellationToken stoppingToken)
    {
        var state = update.Snapshot.State?.Text;
        _seen.TryGetValue(update.ResourceId, out var seen);
        if (state == KnownResourceStates.Running)
        {
            if (!seen.Running)
            {
                _seen[update.ResourceId] = (time.GetUtcNow(), seen.CrashesInARow, true);
            }

            return;
        }

        // A crash is a run that ended with a non-zero exit code (SIGKILL, an error); a clean stop exits with 0.
        var crashed = seen.Running && state is not null && KnownResourceStates.TerminalStates.Contains(state) && update.Snapshot.ExitCode is not (null or 0);
        if (!crashed)
        {
            if (seen.Running && state is not null && KnownResourceStates.TerminalStates.Contains(state))
            {
                _seen[update.ResourceId] = seen with { Running = false };
            }

            return;
        }

        var annotation = update.Resource.Annotations.OfType<RestartOnFailureAnnotation>().Single();
        var crashes = time.GetUtcNow() - seen.RunningSince >= annotation.StableAfter ? 1 : seen.CrashesInARow + 1;
        _seen[update.ResourceId] = (seen.RunningSince, crashes, false);
        var delay = annotation.DelayAfter(crashes);
        Log.Restarting(logger, update.Resource.Name, update.Snapshot.ExitCode!.Value, delay.TotalSeconds, crashes);
        await Task.Delay(delay, time, stoppingToken);
        var result = await commands.ExecuteCommandAsync(update.ResourceId, KnownResourceCommands.StartCommand, stoppingToken);
        if (!result.Success)
        {
            Log.RestartFailed(logger, update.Resource.Name, result.Message ?? "no reason given");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} crashed (exit code {ExitCode}); starting it again in {DelaySeconds} s (crash {Crashes} in a row)")]
        public static partial void Restarting(ILogger logger, string resource, int exitCode, double delaySeconds, int crashes);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} could not be started again: {Reason}")]
        public static partial void RestartFailed(ILogger logger, string resource, string reason);
    }
}
