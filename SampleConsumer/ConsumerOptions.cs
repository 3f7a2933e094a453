using System.ComponentModel.DataAnnotations;

namespace SampleConsumer;

/// <summary>Which role this instance plays (the AppHost starts the project twice, once per role) and how.</summary>
public sealed class ConsumerOptions
{
    public const string SectionName = "Consumer";

    [Required(ErrorMessage = "Consumer:Role must be 'metastore' or 'timestore'.")]
    public ConsumerRole? Role { get; set; }

    /// <summary>The role's name in queue names, Redis keys, metric labels and reports.</summary>
    public string RoleName => Role?.Name() ?? throw new InvalidOperationException("Consumer:Role is not set.");

    /// <summary>Events applied at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 8;

    /// <summary>How long a taken event stays locked to this instance without renewal; after a crash, others take it over after this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the worker looks for events whose instance died (BullMQ's stalled check).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StalledInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Filestore's data directory (<c>&lt;dir&gt;/&lt;env&gt;/&lt;service&gt;</c> are the roots), for the consistency check.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The sandbox operator's token (Filestore's): the stall fault answers only to it.</summary>
    [Required(ErrorMessage = "Consumer:OperatorToken is required: the stall fault answers only to the operator.")]
    [MinLength(24, ErrorMessage = "Consumer:OperatorToken must be at least 24 characters.")]
    public string? OperatorToken { get; set; }

    /// <summary>The queue of this role: Filestore publishes every event to both.</summary>
    public string Queue => $"{RoleName}-events";
}
