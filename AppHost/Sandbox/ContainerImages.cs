namespace Sandbox.AppHost;

/// <summary>Every container image the sandbox can pull, pinned in one place. Never <c>latest</c>.</summary>
public static class ContainerImages
{
    public const string Registry = "docker.io";

    public const string Redis = "library/redis";
    public const string RedisTag = "7.4.2";

    public const string Prometheus = "prom/prometheus";
    public const string PrometheusTag = "v3.5.0";

    public const string Grafana = "grafana/grafana";
    public const string GrafanaTag = "12.0.2";
}
