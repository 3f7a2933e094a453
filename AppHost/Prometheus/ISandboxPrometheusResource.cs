namespace Sandbox.AppHost;

/// <summary>Prometheus as the sandbox runs it, whichever the runtime mode.</summary>
public interface ISandboxPrometheusResource : IResourceWithEndpoints, IResourceWithWaitSupport, IResourceWithArgs, IResourceWithEnvironment
{
    PrometheusLayout Layout { get; }
}
