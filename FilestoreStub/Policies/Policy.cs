using FilestoreStub.Changes;
using FilestoreStub.Paths;

namespace FilestoreStub.Policies;

/// <summary>One grant: <see cref="Principal"/> may run <see cref="Commands"/> on paths of <see cref="Service"/> under <see cref="Prefixes"/>.</summary>
public sealed record PolicyRule(string Principal, string Service, IReadOnlyList<string> Commands, IReadOnlyList<string> Prefixes)
{
    /// <summary>The prefix that grants the whole managed root.</summary>
    public const string WholeRoot = "*";

    public bool Allows(string principal, string service, string command, string relativePath) =>
        Principal == principal && Service == service && Commands.Contains(command)
        && Prefixes.Any(prefix => prefix == WholeRoot || relativePath == prefix || relativePath.StartsWith(prefix + "/", StringComparison.Ordinal));
}

/// <summary>A version of an environment's policy, as applied.</summary>
public sealed record PolicyVersion(int Version, IReadOnlyList<PolicyRule> Rules, DateTimeOffset AppliedAt, string AppliedBy, int? RolledBackFrom = null);

/// <summary>What applying a policy would change, rule by rule (keyed by principal and service).</summary>
public sealed record PolicyDiff(IReadOnlyList<PolicyRule> Added, IReadOnlyList<PolicyRule> Removed, IReadOnlyList<PolicyRule> Changed)
{
    public static PolicyDiff Between(IReadOnlyList<PolicyRule> current, IReadOnlyList<PolicyRule> next)
    {
        static string Key(PolicyRule r) => $"{r.Principal}\u0000{r.Service}";
        var before = current.ToDictionary(Key);
        var after = next.ToDictionary(Key);
        return new PolicyDiff(
            next.Where(r => !before.ContainsKey(Key(r))).ToList(),
            current.Where(r => !after.ContainsKey(Key(r))).ToList(),
            next.Where(r => before.TryGetValue(Key(r), out var old) && !SameGrant(old, r)).ToList());
    }

    private static bool SameGrant(PolicyRule a, PolicyRule b) =>
        a.Commands.Order().SequenceEqual(b.Commands.Order()) && a.Prefixes.Order().SequenceEqual(b.Prefixes.Order());
}

public static class PolicyValidation
{
    /// <summary>Every problem of a proposed rule set, keyed like the request (<c>rules[0].prefixes[1]</c>); empty when valid.</summary>
    public static Dictionary<string, string[]> Validate(IReadOnlyList<PolicyRule>? rules)
    {
        var errors = new Dictionary<string, string[]>();
        if (rules is null)
        {
            errors["rules"] = ["rules is required (an empty list removes every grant)."];
            return errors;
        }

        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"rules[{i}]";
            if (rule is null)
            {
                errors[at] = ["A rule is required here."];
                continue;
            }

            if (string.IsNullOrWhiteSpace(rule.Principal) || rule.Principal == Access.Principal.OperatorName)
            {
                errors[$"{at}.principal"] = ["principal must name a service principal (the operator needs no policy)."];
            }

            if (string.IsNullOrWhiteSpace(rule.Service))
            {
                errors[$"{at}.service"] = ["service is required."];
            }

            if (rule.Commands is not { Count: > 0 } || rule.Commands.Any(c => !CommandNames.All.Contains(c)))
            {
                errors[$"{at}.commands"] = [$"commands must be one or more of {string.Join(", ", CommandNames.All)}."];
            }

            if (rule.Prefixes is not { Count: > 0 })
            {
                errors[$"{at}.prefixes"] = [$"prefixes needs at least one path prefix, or '{PolicyRule.WholeRoot}' for the whole root."];
            }
            else
            {
                for (var p = 0; p < rule.Prefixes.Count; p++)
                {
                    var prefix = rule.Prefixes[p];
                    if (prefix == PolicyRule.WholeRoot)
                    {
                        continue;
                    }

                    try
                    {
                        if (ManagedPath.Normalize(prefix) != prefix)
                        {
                            errors[$"{at}.prefixes[{p}]"] = [$"'{prefix}' is not in normal form; write '{ManagedPath.Normalize(prefix)}'."];
                        }
                    }
                    catch (PathRejectedException e)
                    {
                        errors[$"{at}.prefixes[{p}]"] = [$"'{prefix}' is not a valid path prefix: {e.Message}"];
                    }
                }
            }

            if (!string.IsNullOrWhiteSpace(rule.Principal) && !string.IsNullOrWhiteSpace(rule.Service) && !seen.Add((rule.Principal, rule.Service)))
            {
                errors[$"{at}"] = [$"A second rule for principal '{rule.Principal}' on service '{rule.Service}'; merge them into one."];
            }
        }

        return errors;
    }
}
