namespace Sandbox.AppHost;

/// <summary>What the engine probe found; <paramref name="Runtime"/> is the client whose engine answered.</summary>
public readonly record struct ContainerRuntimeAnswer(bool Answered, string Detail, string? Runtime = null);
