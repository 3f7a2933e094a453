using FilestoreStub.Changes;

namespace FilestoreStub.Commands;

/// <summary>The command path's services: the policy check, idempotency keys, file work under path locks, metrics and the pipeline.</summary>
public static class CommandServices
{
    public static IHostApplicationBuilder AddCommands(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<CommandOptions>(CommandOptions.SectionName);
        builder.Services.AddSingleton<FileCommands>();
        builder.Services.AddSingleton<PathLocks>();
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<CommandIdempotency>();
        builder.Services.AddSingleton<CommandAuthorisation>();
        builder.Services.AddSingleton<CommandExecution>();
        builder.Services.AddSingleton<CommandMetrics>();
        builder.Services.AddSingleton<CommandPipeline>();
        builder.Services.AddSingleton<CommandsInFlight>();
        builder.Services.AddSingleton<ICommandsInFlight>(sp => sp.GetRequiredService<CommandsInFlight>());
        return builder;
    }
}
