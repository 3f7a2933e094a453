using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace FilestoreStub.Roots;

/// <summary>Where the managed roots live and which services are onboarded (section <c>Filestore</c>).</summary>
public sealed partial class ManagedRootOptions : IValidatableObject
{
    public const string SectionName = "Filestore";

    /// <summary>Where the managed roots live: <c>&lt;DataDirectory&gt;/&lt;env&gt;/&lt;service&gt;</c>. The AppHost points it into the sandbox state directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>The onboarded services; the sandbox starts with two that have files to migrate.</summary>
    public List<string> Services { get; set; } = ["billing", "reports"];

    /// <summary>Write a few sample files into empty roots at start, so a rehearsal has something to cut over.</summary>
    public bool SeedSampleFiles { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Services.Count == 0)
        {
            yield return new ValidationResult("Filestore:Services needs at least one service.", [nameof(Services)]);
        }

        foreach (var service in Services.Where(s => !ServiceName().IsMatch(s)))
        {
            yield return new ValidationResult($"Filestore:Services has '{service}'; use 2 to 63 lowercase letters, digits or '-'.", [nameof(Services)]);
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,62}$")]
    private static partial Regex ServiceName();
}
