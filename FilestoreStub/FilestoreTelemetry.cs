namespace FilestoreStub;

/// <summary>The stub's one meter; every <c>filestore_*</c> instrument is created on it.</summary>
public static class FilestoreTelemetry
{
    public const string MeterName = "Filestore";
}
