namespace FilestoreStub.Faults;

/// <summary>Body of <c>PUT /faults</c>: every drill fault at once; what is left out is off.</summary>
public sealed record FaultRequest(double? CommandFailureRate, int? AddedLatencyMs, DriftStormRequest? DriftStorm);
