using System.Text.Json;

namespace Runbook.Targets;

/// <summary>
/// Where the runbook runs: the addresses of Filestore, its consumers, Prometheus and Redis, and the tokens to use.
/// The sandbox's come from its <c>endpoints.json</c>; a real environment's are given by URL, with tokens from the
/// environment (never from the command line, where they would land in shell history and process lists).
/// </summary>
public sealed record RunbookTarget(
    string Name,
    Uri Filestore,
    Uri? Metastore,
    Uri? Timestore,
    Uri? Prometheus,
    string? Redis,
    string OperatorToken,
    string? ServiceToken,
    string RecordsDirectory)
{
    /// <summary>The operator's own token (a named one: approvals must name a person).</summary>
    public const string TokenVariable = "FILESTORE_TOKEN";

    /// <summary>The token of the service being cut over, for the simulated traffic of a dry-run and the cutover canary.</summary>
    public const string ServiceTokenVariable = "FILESTORE_SERVICE_TOKEN";

    /// <summary>The sandbox's state directory; <c>.sandbox</c> at the repository root when unset.</summary>
    public const string SandboxVariable = "SANDBOX_DIR";

    /// <summary>The password of a real environment's Redis: kept out of <c>--redis</c>, which lands in shell history.</summary>
    public const string RedisPasswordVariable = "FILESTORE_REDIS_PASSWORD";

    public static readonly string[] Consumers = ["metastore", "timestore"];

    /// <summary>True for the sandbox: drills, drill traffic and resets act only there.</summary>
    public bool IsSandbox { get; init; }

    /// <summary>Refuses, as bad usage, what only the sandbox may do (inject faults, erase history, cut over for a drill).</summary>
    public void RequireSandbox(string what)
    {
        if (!IsSandbox)
        {
            throw new BadUsageException($"{what} is for the sandbox only; {Name} is a real environment.");
        }
    }

    public Uri? ConsumerUrl(string consumer) => consumer == "metastore" ? Metastore : Timestore;

    /// <summary>
    /// The token the consumers' stall fault takes: the sandbox's shared operator token, even when the operator acts under
    /// a named token of their own (the consumers know only the one the AppHost gave them); elsewhere the operator's.
    /// </summary>
    public string ConsumerToken { get => field ?? OperatorToken; init; }

    /// <summary>
    /// Reads the sandbox's address book. A token in <see cref="TokenVariable"/> wins over the shared operator token the
    /// sandbox generated, so an operator who issued themselves a named token acts under their own name.
    /// </summary>
    public static RunbookTarget FromSandbox(string stateDirectory, Func<string, string?> environment)
    {
        var file = Path.Combine(stateDirectory, "endpoints.json");
        if (!File.Exists(file))
        {
            throw new UnreachableException(
                $"No running sandbox: {file} does not exist (start it with AppHost/start.sh and wait for 'Sandbox is up', or set {SandboxVariable}).");
        }

        JsonElement resources;
        try
        {
            resources = JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("resources");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException)
        {
            throw new UnreachableException($"{file} is not the sandbox's address book ({e.Message}); restart the sandbox to rewrite it.");
        }

        string? Read(string resource, string field) =>
            resources.TryGetProperty(resource, out var r) && r.TryGetProperty(field, out var v) ? v.GetString() : null;
        Uri? Url(string resource) => Read(resource, "url") is { Length: > 0 } url ? new Uri(url) : null;

        var filestore = Url("filestore") ?? throw new UnreachableException($"{file} has no filestore address.");
        var shared = Read("filestore", "operatorToken") ?? throw new UnreachableException($"{file} has no operator token.");
        var token = environment(TokenVariable) is { Length: > 0 } own ? own : shared;
        return new RunbookTarget("sandbox", filestore, Url("metastore"), Url("timestore"), Url("prometheus"),
            Read("redis", "connectionString"), token, environment(ServiceTokenVariable), Path.Combine(stateDirectory, "runbook"))
        {
            IsSandbox = true,
            ConsumerToken = shared,
        };
    }

    /// <summary>A real environment, given by its addresses; the operator token must be in <see cref="TokenVariable"/>.</summary>
    public static RunbookTarget FromAddresses(
        Uri filestore, Uri? metastore, Uri? timestore, Uri? prometheus, string? redis, string recordsDirectory, Func<string, string?> environment)
    {
        var token = environment(TokenVariable) is { Length: > 0 } t
            ? t
            : throw new BadUsageException($"Set {TokenVariable} to your named operator token (tokens are never passed on the command line).");
        if (redis is not null && redis.Contains("password=", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadUsageException($"Put the Redis password in {RedisPasswordVariable}, not in --redis (the command line is in shell history and process lists).");
        }

        if (redis is not null && environment(RedisPasswordVariable) is { Length: > 0 } password)
        {
            redis = $"{redis},password={password}";
        }

        return new RunbookTarget(filestore.Authority, filestore, metastore, timestore, prometheus, redis, token,
            environment(ServiceTokenVariable), recordsDirectory);
    }

    // Tokens and passwords stay out of ToString (and so out of logs and test failure messages).
    public override string ToString() =>
        $"RunbookTarget {{ Name = {Name}, Filestore = {Filestore}, Metastore = {Metastore}, Timestore = {Timestore}, Prometheus = {Prometheus}, IsSandbox = {IsSandbox} }}";

    /// <summary>The state directory of the sandbox at or above <paramref name="start"/>: <c>.sandbox</c> beside <c>Sandbox.sln</c>.</summary>
    public static string DefaultSandboxDirectory(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sandbox.sln")))
            {
                return Path.Combine(dir.FullName, ".sandbox");
            }
        }

        return Path.Combine(start, ".sandbox");
    }
}
