namespace Sandbox.AppHost;

/// <summary>Where Prometheus finds its generated configuration and rules, seen from inside its process.</summary>
public sealed record PrometheusLayout(string ConfigDirectory, string RulesDirectory, bool InContainer)
{
    public string ConfigFile => InContainer ? $"{ConfigDirectory}/{PrometheusConfig.FileName}" : Path.Combine(ConfigDirectory, PrometheusConfig.FileName);
}
