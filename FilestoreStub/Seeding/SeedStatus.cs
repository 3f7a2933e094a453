using System.Text.Json.Serialization;

namespace FilestoreStub.Seeding;

/// <summary>Where a seeding run stands; written by name, as operators and the seeding record in Redis read it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SeedStatus>))]
public enum SeedStatus
{
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Stopped part-way (publishing paused, a queue draining, the caller gone); the counts are what was done.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    [JsonStringEnumMemberName("completed")]
    Completed,
}
