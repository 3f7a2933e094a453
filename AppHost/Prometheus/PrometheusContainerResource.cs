namespace Sandbox.AppHost;

public sealed class PrometheusContainerResource(string name, PrometheusLayout layout)
    : ContainerResource(name), ISandboxPrometheusResource
{
    public PrometheusLayout Layout { get; } = layout;
}
