using FilestoreStub.Policies;

namespace FilestoreStub.Tests.Policies;

public sealed class PolicyRuleTests
{
    private static readonly PolicyRule Billing = new("billing", "billing", ["put", "mkdir"], ["invoices", "exports/2026"]);

    [Theory]
    [InlineData("billing", "billing", "put", "invoices/a.pdf", true)]
    [InlineData("billing", "billing", "put", "invoices", true)]
    [InlineData("billing", "billing", "mkdir", "exports/2026/q1", true)]
    [InlineData("billing", "billing", "put", "invoices-old/a.pdf", false)]
    [InlineData("billing", "billing", "put", "exports/2025/a.csv", false)]
    [InlineData("billing", "billing", "delete", "invoices/a.pdf", false)]
    [InlineData("reports", "billing", "put", "invoices/a.pdf", false)]
    [InlineData("billing", "reports", "put", "invoices/a.pdf", false)]
    public void A_rule_allows_only_its_principal_service_commands_and_prefixes(string principal, string service, string command, string path, bool allowed) =>
        Assert.Equal(allowed, Billing.Allows(principal, service, command, path));

    [Fact]
    public void The_whole_root_prefix_allows_every_path()
    {
        var rule = new PolicyRule("reports", "reports", ["delete"], [PolicyRule.WholeRoot]);

        Assert.True(rule.Allows("reports", "reports", "delete", "any/where/at/all.txt"));
    }

    [Fact]
    public void Validation_names_every_bad_field()
    {
        PolicyRule[] rules =
        [
            new("operator", "", ["chmod"], []),
            new("billing", "billing", ["put"], ["../etc", "a//b"]),
            new("billing", "billing", ["put"], ["*"]),
        ];

        var errors = PolicyValidation.Validate(rules);

        Assert.Equal(
            ["rules[0].commands", "rules[0].prefixes", "rules[0].principal", "rules[0].service", "rules[1].prefixes[0]", "rules[1].prefixes[1]", "rules[2]"],
            errors.Keys.Order());
    }

    [Fact]
    public void The_diff_shows_added_removed_and_changed_grants()
    {
        PolicyRule[] current = [Billing, new("reports", "reports", ["put"], ["*"])];
        PolicyRule[] next = [Billing with { Commands = ["put"] }, new("audit", "billing", ["put"], ["audit"])];

        var diff = PolicyDiff.Between(current, next);

        Assert.Equal(["audit"], diff.Added.Select(r => r.Principal));
        Assert.Equal(["reports"], diff.Removed.Select(r => r.Principal));
        Assert.Equal(["billing"], diff.Changed.Select(r => r.Principal));
    }
}
