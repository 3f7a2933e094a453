namespace Sandbox.AppHost;

/// <summary>How the infrastructure (Redis, Prometheus, Grafana) runs: in containers or from binaries on PATH.</summary>
public enum RuntimeMode
{
    Containers,
    Executables,
}
