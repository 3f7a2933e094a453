using FilestoreStub.Changes;
using FilestoreStub.Paths;

namespace FilestoreStub.Policies;

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
