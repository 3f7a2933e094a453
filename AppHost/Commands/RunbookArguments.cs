namespace Sandbox.AppHost;

/// <summary>The arguments a runbook command in the dashboard was given.</summary>
internal sealed record RunbookArguments(string Env, string Service, string? Approver, string? Note, int DrainDeadlineSeconds);
