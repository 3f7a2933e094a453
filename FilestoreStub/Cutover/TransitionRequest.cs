namespace FilestoreStub.Cutover;

/// <summary>Body of a transition: the mode to move to, and for a rollback how long the drain may take.</summary>
public sealed record TransitionRequest(string? To, int? DrainDeadlineSeconds);
