using System.Text.Json.Serialization;

namespace FilestoreStub.Changes;

/// <summary>The cutover modes of docs/architecture.md, The domain; written as <c>manual</c>, <c>shadow</c>, <c>managed</c>.</summary>
[JsonConverter(typeof(KebabCaseConverter<CutoverMode>))]
public enum CutoverMode
{
    /// <summary>The service writes to disk itself; Filestore takes no commands for it.</summary>
    Manual,

    /// <summary>Filestore plans every command and compares its plans with what the service writes; nothing is executed.</summary>
    Shadow,

    /// <summary>Filestore executes the service's commands and publishes their events.</summary>
    Managed,
}
