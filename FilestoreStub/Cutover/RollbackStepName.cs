using System.Text.Json.Serialization;

namespace FilestoreStub.Cutover;

/// <summary>The steps of a rollback, in the order they run.</summary>
[JsonConverter(typeof(KebabCaseConverter<RollbackStepName>))]
public enum RollbackStepName
{
    DisableWatcher,
    StopPublishing,
    DrainQueues,
    SwitchToManual,
}
