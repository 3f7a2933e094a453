namespace FilestoreStub.Policies;

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
