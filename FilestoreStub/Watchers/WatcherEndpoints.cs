using FilestoreStub.Roots;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Watchers;

public sealed record WatcherState(string Env, string Service, bool Enabled);

/// <summary>Turning a root's drift watcher on and off. Operator only.</summary>
public static class WatcherEndpoints
{
    public static IHostApplicationBuilder AddDriftWatchers(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<WatcherOptions>(WatcherOptions.SectionName);
        builder.Services.AddSingleton<DriftWatchers>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DriftWatchers>());
        return builder;
    }

    public static IEndpointRouteBuilder MapWatcherEndpoints(this IEndpointRouteBuilder app)
    {
        var watcher = app.MapOperatorServiceGroup("/watcher", "Watchers");

        watcher.MapGet("/", (string env, string service, DriftWatchers watchers) =>
            TypedResults.Ok(new WatcherState(env, service, watchers.IsRunning(env, service))));

        watcher.MapPut("/", async Task<Results<Ok<WatcherState>, ValidationProblem>> (string env, string service, SwitchChange change, DriftWatchers watchers) =>
        {
            if (change.Enabled is not { } enabled)
            {
                return SwitchChange.Missing();
            }

            await watchers.SetEnabledAsync(env, service, enabled);
            return TypedResults.Ok(new WatcherState(env, service, watchers.IsRunning(env, service)));
        });

        return app;
    }
}
