using System.ComponentModel.DataAnnotations;

namespace FilestoreStub.Access;

/// <summary>Settings of the access feature (section <c>Filestore</c>).</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Filestore";

    /// <summary>The operator's bootstrap token; the AppHost generates it and lists it in endpoints.json.</summary>
    [Required]
    [MinLength(24, ErrorMessage = "Filestore:OperatorToken must be at least 24 characters.")]
    public string OperatorToken { get; set; } = string.Empty;
}
