namespace FilestoreStub.Faults;

/// <summary>The drift storm part of a fault request.</summary>
public sealed record DriftStormRequest(string? Env, string? Service, int? ChangesPerSecond);
