using FilestoreStub.Changes;

namespace FilestoreStub.Cutover;

/// <summary>A transition the service could make next, whether it is ready, and the gates that decide it.</summary>
public sealed record NextTransition(CutoverMode To, bool Ready, IReadOnlyList<Gate> Gates);
