namespace Sandbox.AppHost;

/// <summary>A setup problem the operator can fix; reported as one line, never as a stack trace.</summary>
public sealed class SandboxSetupException(string message) : Exception(message);
