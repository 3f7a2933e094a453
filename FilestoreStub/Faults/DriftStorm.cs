namespace FilestoreStub.Faults;

/// <summary>A drift storm: out-of-band changes written under one root at a steady rate, as a misbehaving service would.</summary>
public sealed record DriftStorm(string Env, string Service, int ChangesPerSecond);
