using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Sandbox.AppHost;

/// <summary>
/// Everything the AppHost reads from the <c>Sandbox</c> configuration section, resolved once at start.
/// </summary>
public sealed record SandboxSettings(
    RuntimeMode Runtime,
    string RuntimeReason,
    string RepositoryRoot,
    string StateDirectory,
    int? PrometheusPort,
    int? GrafanaPort,
    string? ContainerEngine = null)
{
    public const string SectionName = "Sandbox";
    public const int DefaultPrometheusPort = 19090;
    public const int DefaultGrafanaPort = 13000;

    public string RuntimeName => Runtime == RuntimeMode.Containers ? "containers" : "executables";

    public string DashboardsDirectory => Path.Combine(RepositoryRoot, "dashboards");

    public string StatePath(params string[] parts) => Path.Combine([StateDirectory, .. parts]);

    /// <summary>A folder under the state directory, created if missing (bind-mount sources must exist before start).</summary>
    public string EnsureStateFolder(params string[] parts) => Directory.CreateDirectory(StatePath(parts)).FullName;

    /// <summary>Reads and validates the settings; a bad value throws <see cref="SandboxSetupException"/>.</summary>
    public static SandboxSettings Read(IConfiguration configuration, string appHostDirectory, IContainerRuntimeProbe probe)
    {
        var section = configuration.GetSection(SectionName);
        var repositoryRoot = Path.GetFullPath(Path.Combine(appHostDirectory, ".."));

        var (runtime, reason, engine) = RuntimeModes.Resolve(section["Runtime"], probe);

        var stateDirectory = section["StateDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, repositoryRoot)
            : Path.Combine(repositoryRoot, ".sandbox");

        return new SandboxSettings(
            runtime,
            reason,
            repositoryRoot,
            stateDirectory,
            ReadPort(section, "Ports:Prometheus", DefaultPrometheusPort),
            ReadPort(section, "Ports:Grafana", DefaultGrafanaPort),
            engine);
    }

    // 0 means "let Aspire pick a free port" (what the tests use); anything else is a fixed host port that must be free.
    private static int? ReadPort(IConfigurationSection section, string key, int defaultPort)
    {
        var raw = section[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultPort;
        }

        if (!int.TryParse(raw, out var port) || port is < 0 or > 65535)
        {
            throw new SandboxSetupException($"{SectionName}:{key} must be a port number from 0 to 65535 (0 picks a free port), not '{raw}'.");
        }

        return port == 0 ? null : port;
    }

    /// <summary>Fails with one clear line when a fixed host port is already taken, before anything starts.</summary>
    public static void EnsurePortIsFree(int? port, string resourceName, string settingKey)
    {
        if (port is not { } fixedPort)
        {
            return;
        }

        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, fixedPort);
            listener.Start();
        }
        catch (SocketException)
        {
            throw new SandboxSetupException(
                $"Port {fixedPort} for {resourceName} is already in use; stop what holds it or set {SectionName}:{settingKey} to another port (0 picks a free one).");
        }
    }
}
