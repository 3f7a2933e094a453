namespace FilestoreStub.Cutover;

/// <summary>Whether the events of a service are published.</summary>
public sealed record PublishingState(string Env, string Service, bool Enabled);
