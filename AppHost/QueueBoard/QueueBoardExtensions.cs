namespace Sandbox.AppHost;

/// <summary>
/// bull-board over the sandbox's queues: <c>AppHost/QueueBoard/server.js</c> run by <c>node</c> on the host in both
/// modes (in containers mode it reaches Redis at the container's host port, which is what the reference gives it).
/// </summary>
public static class QueueBoardExtensions
{
    public const string EndpointName = "http";

    /// <summary>Set to <c>false</c> to let the board retry, clean, pause or remove; it is read-only otherwise.</summary>
    public const string ReadOnlySetting = "Sandbox:QueueBoard:ReadOnly";

    private const string SetupHint = "run AppHost/start.sh, which installs it, or 'npm ci --prefix AppHost/QueueBoard'";

    /// <summary>The board for <paramref name="queues"/> on <paramref name="redis"/>; it starts once Redis is healthy.</summary>
    public static IResourceBuilder<ExecutableResource> AddQueueBoard(
        this IDistributedApplicationBuilder builder, string name, SandboxSettings sandbox,
        IResourceBuilder<IResourceWithConnectionString> redis, params string[] queues)
    {
        var boardDirectory = Path.Combine(sandbox.RepositoryRoot, "AppHost", "QueueBoard");
        var node = ExecutableLocator.Find("node") ?? throw new SandboxSetupException(
            $"'node' was not found on PATH; the queue board needs Node.js 18 or newer: {SetupHint}.");
        EnsureInstalled(boardDirectory);
        var readOnly = ReadOnly(builder.Configuration[ReadOnlySetting]);

        // A 1 MB young generation instead of V8's 16 MB: the board serves one operator's page now and then, and this
        // keeps it about 13 MB smaller at no visible cost.
        return builder.AddExecutable(name, node, boardDirectory, "--max-semi-space-size=1", "server.js")
            .WithHttpEndpoint(name: EndpointName, env: "PORT")
            .WithEnvironment("QUEUE_BOARD_QUEUES", string.Join(',', queues))
            .WithEnvironment("QUEUE_BOARD_READ_ONLY", readOnly ? "true" : "false")
            .WithReference(redis).WaitFor(redis)
            .WithHttpHealthCheck("/health", endpointName: EndpointName)
            .WithUrlForEndpoint(EndpointName, url => url.DisplayText = "Queue board");
    }

    /// <summary>Fails with one line when the board's npm packages are missing, before anything starts.</summary>
    public static void EnsureInstalled(string boardDirectory)
    {
        string[] packages = ["@bull-board/api", "@bull-board/express", "bullmq", "express", "ioredis"];
        var missing = packages.Where(p => !File.Exists(Path.Combine(boardDirectory, "node_modules", p, "package.json"))).ToList();
        if (missing.Count > 0)
        {
            throw new SandboxSetupException(
                $"The queue board's npm packages are not installed ({string.Join(", ", missing)} missing in {boardDirectory}); {SetupHint}.");
        }
    }

    private static bool ReadOnly(string? setting) => setting switch
    {
        null or "" => true,
        var raw when bool.TryParse(raw, out var value) => value,
        var raw => throw new SandboxSetupException($"{ReadOnlySetting} must be true or false, not '{raw}'."),
    };
}
