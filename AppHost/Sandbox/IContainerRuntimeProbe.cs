namespace Sandbox.AppHost;

public interface IContainerRuntimeProbe
{
    ContainerRuntimeAnswer Probe();
}
