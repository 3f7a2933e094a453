namespace FilestoreStub.Commands;

/// <summary>The command path's services: file work, path locks, idempotency records, metrics and the pipeline.</summary>
public static class CommandServices
{
    public static IHostApplicationBuilder AddCommands(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<CommandOptions>(CommandOptions.SectionName);
        builder.Services.AddSingleton<FileCommands>();
        builder.Services.AddSingleton<PathLocks>();
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<CommandMetrics>();
        builder.Services.AddSingleton<CommandPipeline>();
        return builder;
    }
}
