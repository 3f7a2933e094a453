namespace Sandbox.AppHost;

public sealed class PrometheusServerResource(string name, string command, PrometheusLayout layout, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), ISandboxPrometheusResource
{
    public PrometheusLayout Layout { get; } = layout;
}
