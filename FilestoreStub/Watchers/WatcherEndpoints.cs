using FilestoreStub.Changes;
using FilestoreStub.Roots;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Watchers;

/// <summary>Turning a root's drift watcher on and off, and proving it works with a probe file. Operator only.</summary>
public static class WatcherEndpoints
{
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

        watcher.MapPost("/probe", async Task<Results<Created<ProbeFile>, ProblemHttpResult>> (
            string env, string service, DriftWatchers watchers, IServiceModes modes, WatcherProbe probe, HttpContext context) =>
        {
            if (await RefuseProbeAsync(env, service, watchers, modes) is { } refused)
            {
                return refused;
            }

            var written = probe.Write(env, service, context.User.Identity!.Name!, Correlation.IdFor(context));
            return TypedResults.Created($"/envs/{env}/services/{service}/watcher/probe/{written.Path}", written);
        }).WithSummary("Write a watcher probe file")
            .WithDescription("Writes a small file at the top of the managed root without announcing it to the watcher, so the watcher reports it as "
                + "drift to both queues. Refused while the watcher is off (409 watcher-off) or the service is in shadow (409 probe-in-shadow).");

        watcher.MapDelete("/probe/{name}", async Task<Results<Ok<ProbeFile>, ValidationProblem, ProblemHttpResult>> (
            string env, string service, string name, DriftWatchers watchers, IServiceModes modes, WatcherProbe probe, HttpContext context) =>
        {
            if (!WatcherProbe.IsProbeName(name))
            {
                return Problems.Invalid(new Dictionary<string, string[]>
                {
                    ["name"] = [$"Only probe files can be removed here; their names are {WatcherProbe.NamePattern}."],
                });
            }

            if (await RefuseProbeAsync(env, service, watchers, modes) is { } refused)
            {
                return refused;
            }

            return probe.Delete(env, service, name, context.User.Identity!.Name!, Correlation.IdFor(context)) is { } removed
                ? TypedResults.Ok(removed)
                : Problems.Result(StatusCodes.Status404NotFound, "not-found", "No such probe", $"There is no probe file '{name}' in the root of {service} in {env}.");
        }).WithSummary("Remove a watcher probe file")
            .WithDescription("Removes a probe file, also unannounced, so its removal reaches both queues as a deleted drift event.");

        return app;
    }

    // Both the write and the removal are drift on purpose; these are the cases where that drift would mislead or go unseen.
    private static async Task<ProblemHttpResult?> RefuseProbeAsync(string env, string service, DriftWatchers watchers, IServiceModes modes)
    {
        if (await modes.ModeAsync(env, service) == CutoverMode.Shadow)
        {
            return Problems.Result(StatusCodes.Status409Conflict, "probe-in-shadow", "No probe during shadow",
                $"{service} in {env} is in shadow mode, where every change seen on disk is compared with a shadow plan: a probe would count as an "
                + "unplanned change against the shadow-plans-match gate. Probe before manual -> shadow, or once the service is managed.");
        }

        if (!watchers.IsRunning(env, service))
        {
            return Problems.Result(StatusCodes.Status409Conflict, "watcher-off", "The drift watcher is off",
                $"The drift watcher of {service} in {env} is off, so nobody would see the probe; turn it on with PUT /envs/{env}/services/{service}/watcher.");
        }

        return null;
    }
}
