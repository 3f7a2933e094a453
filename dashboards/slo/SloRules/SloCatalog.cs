using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace SloRules;

/// <summary><c>dashboards/slo/slos.yml</c>: the SLOs, their alerts and the profiles the rule files are made for.</summary>
public sealed class SloCatalog
{
    public const string SourcePath = "dashboards/slo/slos.yml";

    public string RunbookBaseUrl { get; set; } = string.Empty;
    public string Runbook { get; set; } = string.Empty;
    public string Period { get; set; } = string.Empty;
    public List<Profile> Profiles { get; set; } = [];
    public List<Slo> Slos { get; set; } = [];
    public List<BurnRateAlert> BurnRateAlerts { get; set; } = [];
    public List<HealthGroup> HealthAlerts { get; set; } = [];

    public static SloCatalog Load(string repositoryRoot)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        var catalog = deserializer.Deserialize<SloCatalog>(File.ReadAllText(Path.Combine(repositoryRoot, SourcePath)));
        catalog.Validate();
        return catalog;
    }

    /// <summary>Every window a rule needs, shortest first: the burn-rate alerts' windows and the budget period.</summary>
    public IReadOnlyList<string> Windows() =>
        BurnRateAlerts.SelectMany(a => new[] { a.LongWindow, a.ShortWindow }).Append(Period)
            .Distinct().OrderBy(PromDuration.Parse).ToList();

    public string RunbookUrl(string alert) => $"{RunbookBaseUrl}{Runbook}#{alert.ToLowerInvariant()}";

    public IEnumerable<string> AlertNames() =>
        Slos.SelectMany(s => BurnRateAlerts.Select(a => s.AlertPrefix + a.Name))
            .Concat(HealthAlerts.SelectMany(g => g.Alerts).Select(a => a.Name));

    private void Validate()
    {
        var problems = new List<string>();
        if (Profiles.Count == 0)
        {
            problems.Add("no profiles");
        }

        if (Slos.Count == 0)
        {
            problems.Add("no slos");
        }

        problems.AddRange(Profiles.Where(p => p.Scale is <= 0 or > 1).Select(p => $"profile {p.Name}: scale must be in (0, 1]"));
        problems.AddRange(Slos.Where(s => s.Objective is <= 0 or >= 1).Select(s => $"slo {s.Name}: objective must be between 0 and 1"));
        problems.AddRange(Slos.Where(s => !s.Errors.Contains("{{window}}", StringComparison.Ordinal) || !s.Total.Contains("{{window}}", StringComparison.Ordinal))
            .Select(s => $"slo {s.Name}: errors and total must both use {{{{window}}}}"));
        problems.AddRange(AlertNames().GroupBy(n => n).Where(g => g.Count() > 1).Select(g => $"alert {g.Key} is defined twice"));
        try
        {
            _ = Windows().Select(PromDuration.Parse).ToList();
            _ = HealthAlerts.SelectMany(g => g.Alerts).Select(a => PromDuration.Parse(a.For)).ToList();
            _ = BurnRateAlerts.Select(a => PromDuration.Parse(a.For)).ToList();
        }
        catch (FormatException e)
        {
            problems.Add(e.Message);
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{SourcePath}: {string.Join("; ", problems)}.");
        }
    }
}

public sealed class Profile
{
    public string Name { get; set; } = string.Empty;
    public string Output { get; set; } = string.Empty;
    public string Tests { get; set; } = string.Empty;
    public double Scale { get; set; } = 1;
}

public sealed class Slo
{
    public string Name { get; set; } = string.Empty;
    public string AlertPrefix { get; set; } = string.Empty;
    public string Title { get; set; } = string.Empty;
    public string Sli { get; set; } = string.Empty;
    public double Objective { get; set; }
    public List<string> By { get; set; } = [];
    public string Errors { get; set; } = string.Empty;
    public string Total { get; set; } = string.Empty;

    public double Budget => Math.Round(1 - Objective, 10);
}

public sealed class BurnRateAlert
{
    public string Name { get; set; } = string.Empty;
    public string Severity { get; set; } = string.Empty;
    public double Factor { get; set; }
    [YamlMember(Alias = "long")]
    public string LongWindow { get; set; } = string.Empty;

    [YamlMember(Alias = "short")]
    public string ShortWindow { get; set; } = string.Empty;

    public string For { get; set; } = string.Empty;
}

public sealed class HealthGroup
{
    public string Group { get; set; } = string.Empty;
    public List<HealthAlert> Alerts { get; set; } = [];
}

public sealed class HealthAlert
{
    public string Name { get; set; } = string.Empty;
    public string Severity { get; set; } = string.Empty;
    public string For { get; set; } = string.Empty;
    public string Expr { get; set; } = string.Empty;
    public string Summary { get; set; } = string.Empty;
    public string Description { get; set; } = string.Empty;
}
