namespace FilestoreStub.Watchers;

/// <summary>Whether the drift watcher of a root is on.</summary>
public sealed record WatcherState(string Env, string Service, bool Enabled);
