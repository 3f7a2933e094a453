using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Sandbox.Tests.Infrastructure;

/// <summary>Builds the AppHost's model in a chosen mode without starting any process.</summary>
public static class AppModel
{
    public static async Task<IDistributedApplicationTestingBuilder> BuildAsync(string runtime, string stateDirectory, params string[] extraArgs)
    {
        string[] args =
        [
            $"Sandbox:Runtime={runtime}",
            $"Sandbox:StateDirectory={stateDirectory}",
            "Sandbox:Ports:Prometheus=0",
            "Sandbox:Ports:Grafana=0",
            // No file watchers for appsettings: many models are built at once, and each watcher takes an inotify instance.
            "hostBuilder:reloadConfigOnChange=false",
            .. extraArgs,
        ];
        using var timeout = new CancellationTokenSource(Waits.Request);
        return await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, timeout.Token);
    }

    public static IResource Resource(this IDistributedApplicationTestingBuilder builder, string name) =>
        builder.Resources.Single(r => r.Name == name);

    public static IEnumerable<string> WaitsFor(this IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);

    public static IEnumerable<string> References(this IResource resource) =>
        resource.Annotations.OfType<ResourceRelationshipAnnotation>().Where(r => r.Type == "Reference").Select(r => r.Resource.Name);

    /// <summary>The environment a resource would get, with references left as objects (nothing is allocated in a model test).</summary>
    public static async Task<IReadOnlyDictionary<string, object>> EnvironmentWithoutResolvingAsync(this IResource resource)
    {
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run));
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return context.EnvironmentVariables;
    }

    /// <summary>A resource's command line with endpoint-valued arguments shown by name (ports are not allocated in a model test).</summary>
    public static async Task<string> ArgumentsWithoutResolvingAsync(IResourceWithArgs resource)
    {
        var context = new CommandLineArgsCallbackContext([], resource);
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return string.Join(' ', context.Args.Select(arg => arg as string ?? "<endpoint>"));
    }

    /// <summary>The resources a person sees: not parameters, not Aspire's own helpers (dashboard, project rebuilders).</summary>
    public static IEnumerable<IResource> SandboxResources(this IDistributedApplicationTestingBuilder builder) =>
        builder.Resources.Where(r => r is not ParameterResource && !r.HasAnnotationOfType<ExplicitStartupAnnotation>());
}
