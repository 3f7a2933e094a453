using System.Diagnostics.Metrics;

namespace FilestoreStub.Access;

/// <summary>Counts refused requests as <c>filestore_auth_failures_total{reason}</c> (docs/metrics.md, The contract).</summary>
public sealed class AuthMetrics
{
    private readonly Counter<long> _failures;

    public AuthMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(FilestoreTelemetry.MeterName);
        _failures = meter.CreateCounter<long>("filestore_auth_failures", description: "Requests refused: 401 for missing, invalid, expired or revoked tokens, 403 for forbidden actions.");
    }

    public void Failed(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
