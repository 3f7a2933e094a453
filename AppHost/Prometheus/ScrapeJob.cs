namespace Sandbox.AppHost;

public sealed record ScrapeJob(string JobName, string Target);
