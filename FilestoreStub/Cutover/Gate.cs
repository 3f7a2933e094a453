namespace FilestoreStub.Cutover;

/// <summary>One precondition of a transition, as checked just now.</summary>
public sealed record Gate(string Name, bool Passed, string Detail);
