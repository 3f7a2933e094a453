using System.ComponentModel.DataAnnotations;

namespace SampleConsumer;

/// <summary>Which role this instance plays; the AppHost starts the project twice, once per role.</summary>
public sealed class ConsumerOptions
{
    public const string SectionName = "Consumer";

    [Required]
    [RegularExpression("^(metastore|timestore)$", ErrorMessage = "Consumer:Role must be 'metastore' or 'timestore'.")]
    public string Role { get; set; } = string.Empty;
}
