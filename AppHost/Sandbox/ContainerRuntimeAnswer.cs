namespace Sandbox.AppHost;

public readonly record struct ContainerRuntimeAnswer(bool Answered, string Detail);
