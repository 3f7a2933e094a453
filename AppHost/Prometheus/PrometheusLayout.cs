namespace Sandbox.AppHost;

/// <summary>Where Prometheus finds its generated configuration and rules, seen from inside its process.</summary>
public sealed record PrometheusLayout(string HostConfigDirectory, string ConfigDirectory, string RulesDirectory, bool InContainer)
{
    public string HostConfigFile => Path.Combine(HostConfigDirectory, PrometheusConfig.FileName);

    public string ConfigFile => InContainer ? $"{ConfigDirectory}/{PrometheusConfig.FileName}" : HostConfigFile;
}
