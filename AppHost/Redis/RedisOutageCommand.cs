using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Sandbox.AppHost;

/// <summary>
/// The "Redis outage" drill on the redis resource: Redis is stopped cleanly (so the restart on failure leaves it
/// down), kept down for the chosen time, then started again. RedisUnreachable pages meanwhile and resolves after.
/// </summary>
public static class RedisOutageCommand
{
    public const string Name = "redis-outage";
    public const int DefaultSeconds = 60;

    public static IResourceBuilder<T> WithOutageDrill<T>(this IResourceBuilder<T> redis) where T : IResource =>
        redis.WithCommand(Name, "Drill: Redis outage", async context =>
        {
            var seconds = context.Arguments is { } args && args.TryGetByName("seconds", out var input) && int.TryParse(input.Value, out var s) ? s : DefaultSeconds;
            if (seconds is < 5 or > 3600)
            {
                return CommandResults.Failure("Give the outage from 5 to 3600 seconds.");
            }

            var commands = context.Services.GetRequiredService<ResourceCommandService>();
            var stopping = context.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var stopped = await commands.ExecuteCommandAsync(redis.Resource, KnownResourceCommands.StopCommand, context.CancellationToken);
            if (!stopped.Success)
            {
                return CommandResults.Failure($"Redis could not be stopped: {stopped.Message}");
            }

            // The outage outlives the click; a stopping sandbox ends it early.
            _ = Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(seconds), stopping);
                    await commands.ExecuteCommandAsync(redis.Resource, KnownResourceCommands.StartCommand, stopping);
                }
                catch (OperationCanceledException)
                {
                }
            }, stopping);
            return CommandResults.Success($"Redis is stopped for {seconds} s, then started again: commands answer 503 store-unavailable and RedisUnreachable pages meanwhile.");
        }, new CommandOptions
        {
            Description = "Stops Redis for the chosen time, then starts it again (expect RedisUnreachable and QueueGaugesAbsent; nothing acknowledged is lost).",
            IconName = "PlugDisconnected",
            ConfirmationMessage = "Stop Redis for a drill? Every service loses its store until it is started again.",
            Arguments =
            [
                new InteractionInput { Name = "seconds", Label = "Outage (s)", InputType = InputType.Number, Required = true, Value = $"{DefaultSeconds}" },
            ],
            UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });
}
