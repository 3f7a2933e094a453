using FilestoreStub.Access;
using FilestoreStub.Roots;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Watchers;

public sealed record WatcherState(string Env, string Service, bool Enabled);

public sealed record WatcherChange(bool? Enabled);

/// <summary>Turning a root's drift watcher on and off. Operator only.</summary>
public static class WatcherEndpoints
{
    public static IHostApplicationBuilder AddDriftWatchers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WatcherOptions>()
            .BindConfiguration(WatcherOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<DriftWatchers>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DriftWatchers>());
        return builder;
    }

    public static IEndpointRouteBuilder MapWatcherEndpoints(this IEndpointRouteBuilder app)
    {
        var watcher = app.MapGroup("/envs/{env}/services/{service}/watcher")
            .WithTags("Watchers")
            .RequireAuthorization(AccessEndpoints.OperatorPolicy);

        watcher.MapGet("/", Results<Ok<WatcherState>, ProblemHttpResult> (string env, string service, DriftWatchers watchers, ManagedRoots roots) =>
            ServiceRoutes.Unknown(env, service, roots) is { } problem ? problem : TypedResults.Ok(new WatcherState(env, service, watchers.IsRunning(env, service))));

        watcher.MapPut("/", async Task<Results<Ok<WatcherState>, ValidationProblem, ProblemHttpResult>> (
            string env, string service, WatcherChange change, DriftWatchers watchers, ManagedRoots roots) =>
        {
            if (ServiceRoutes.Unknown(env, service, roots) is { } problem)
            {
                return problem;
            }

            if (change.Enabled is not { } enabled)
            {
                return Problems.Invalid(new Dictionary<string, string[]> { ["enabled"] = ["enabled (true or false) is required."] });
            }

            await watchers.SetEnabledAsync(env, service, enabled);
            return TypedResults.Ok(new WatcherState(env, service, watchers.IsRunning(env, service)));
        });

        return app;
    }
}
