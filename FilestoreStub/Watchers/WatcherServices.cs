using FilestoreStub.Changes;

namespace FilestoreStub.Watchers;

/// <summary>The drift watchers (started with the stub) and the watcher probe.</summary>
public static class WatcherServices
{
    public static IHostApplicationBuilder AddDriftWatchers(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<WatcherOptions>(WatcherOptions.SectionName);
        builder.Services.AddSingleton<DriftWatchers>();
        builder.Services.AddSingleton<IExpectedChanges>(sp => sp.GetRequiredService<DriftWatchers>());
        builder.Services.AddSingleton<WatcherProbe>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DriftWatchers>());
        return builder;
    }
}
