namespace Sandbox.AppHost;

public static class ServiceExtensions
{
    /// <summary>The Filestore stub: the API operators cut services over to, with a generated operator token.</summary>
    public static IResourceBuilder<ProjectResource> AddFilestoreStub(this IDistributedApplicationBuilder builder, string name, SandboxSettings sandbox)
    {
        // Generated once and kept in user secrets, so the token survives restarts of the sandbox.
        var operatorToken = builder.AddParameter(
            $"{name}-operator-token", new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);
        return builder.AddProject<Projects.FilestoreStub>(name)
            .WithAnnotation(new OperatorTokenAnnotation(operatorToken.Resource))
            .WithEnvironment("Filestore__OperatorToken", operatorToken)
            // The managed roots of the onboarded services live in the sandbox state directory, never in the repository.
            .WithEnvironment("Filestore__DataDirectory", sandbox.StatePath(name))
            .AsSandboxService();
    }

    /// <summary>
    /// One SampleConsumer instance in the given role, consuming its queue from <paramref name="filestore"/>; it reads
    /// the same managed roots (for its consistency check) and the stall fault, guarded by the operator token, is on its dashboard menu.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddSampleConsumer(
        this IDistributedApplicationBuilder builder, string name, ConsumerRole role, IResourceBuilder<ProjectResource> filestore, SandboxSettings sandbox) =>
        builder.AddProject<Projects.SampleConsumer>(name)
            .WithEnvironment("Consumer__Role", role.ToString().ToLowerInvariant())
            .WithEnvironment("Consumer__DataDirectory", sandbox.StatePath(filestore.Resource.Name))
            // The stall fault is an operator's drill, guarded by the same token as Filestore's faults.
            .WithEnvironment("Consumer__OperatorToken", filestore.Resource.Annotations.OfType<OperatorTokenAnnotation>().Single().Token)
            .AsSandboxService()
            .WithStallCommands(sandbox);

    // Free ports picked by Aspire (both consumers are one project, so a fixed launch-profile port would collide);
    // people find the addresses in the table the AppHost prints and in endpoints.json.
    private static IResourceBuilder<ProjectResource> AsSandboxService(this IResourceBuilder<ProjectResource> service) =>
        service
            .FromBuiltOutput()
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health", endpointName: "http")
            // A sandbox is for rehearsals and drills: every command answered and every event applied is logged, so a
            // correlation id can be followed in the Aspire dashboard's structured logs (services default to Information).
            .WithEnvironment("Logging__LogLevel__FilestoreStub.Commands", "Debug")
            .WithEnvironment("Logging__LogLevel__SampleConsumer.Processing", "Debug");

    /// <summary>
    /// Starts the service as <c>dotnet &lt;its built dll&gt;</c> instead of Aspire's default <c>dotnet run --project</c>,
    /// which keeps an SDK process (over 100 MB) alive beside every service for nothing: the AppHost's project references
    /// already build the services whenever the AppHost is built (by <c>dotnet run --project AppHost</c> and by
    /// Aspire.Hosting.Testing alike). Everything else Aspire wires for a project (OTLP export, service discovery, the
    /// connection strings, the launch profile's environment, the endpoints) is unchanged. An IDE debugging the AppHost
    /// still launches the project itself. Without a built dll (an unusual build layout) the default stays.
    /// </summary>
    private static IResourceBuilder<ProjectResource> FromBuiltOutput(this IResourceBuilder<ProjectResource> service)
    {
        var dll = BuiltOutput.Of(service.Resource.GetProjectMetadata().ProjectPath);
        if (!File.Exists(dll))
        {
            return service;
        }

#pragma warning disable ASPIREEXTENSION001 // Aspire 13.6's supported way to replace "run --project"; evaluation API.
        return service.WithLaunchToolArgs(context => context.Args.Add(dll), ownedByLaunchConfigurationType: KnownLaunchConfigurationTypes.Project, showInCommandLine: false);
#pragma warning restore ASPIREEXTENSION001
    }
}
