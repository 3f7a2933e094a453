using FilestoreStub.Changes;
using FilestoreStub.Policies;

namespace FilestoreStub.Tests.Policies;

/// <summary>What a proposed rule set must be, field by field, and what the diff counts as a change.</summary>
public sealed class PolicyValidationEdgeTests
{
    private static readonly PolicyRule Valid = new("billing", "billing", ["put"], ["invoices"]);

    private static string[] Fields(params PolicyRule[] rules) => PolicyValidation.Validate(rules).Keys.Order().ToArray();

    [Fact]
    public void No_rules_at_all_is_refused_but_an_empty_list_is_a_valid_policy_that_grants_nothing()
    {
        Assert.Equal(["rules"], PolicyValidation.Validate(null).Keys);
        Assert.Empty(PolicyValidation.Validate([]));
    }

    [Fact]
    public void A_missing_rule_in_the_list_is_named_by_its_index_and_the_others_are_still_judged()
    {
        var errors = PolicyValidation.Validate([Valid, null!, Valid with { Service = " " }]);

        Assert.Equal(["rules[1]", "rules[2].service"], errors.Keys.Order());
    }

    [Fact]
    public void A_valid_rule_has_no_errors()
    {
        Assert.Empty(Fields(Valid, new PolicyRule("billing", "reports", CommandNames.All, ["*", "a/b"])));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("operator")]
    public void A_blank_principal_or_the_operator_is_refused(string principal) =>
        Assert.Equal(["rules[0].principal"], Fields(Valid with { Principal = principal }));

    [Fact]
    public void Commands_must_be_given_and_every_one_must_be_known()
    {
        Assert.Equal(["rules[0].commands"], Fields(Valid with { Commands = [] }));
        Assert.Equal(["rules[0].commands"], Fields(Valid with { Commands = null! }));
        Assert.Equal(["rules[0].commands"], Fields(Valid with { Commands = ["put", "chmod"] }));
    }

    [Fact]
    public void Prefixes_must_be_given()
    {
        Assert.Equal(["rules[0].prefixes"], Fields(Valid with { Prefixes = [] }));
        Assert.Equal(["rules[0].prefixes"], Fields(Valid with { Prefixes = null! }));
    }

    [Fact]
    public void A_prefix_not_in_normal_form_is_refused_with_its_normal_form()
    {
        var errors = PolicyValidation.Validate([Valid with { Prefixes = ["invoices", "./exports/"] }]);

        Assert.Equal(["rules[0].prefixes[1]"], errors.Keys);
        Assert.Contains("write 'exports'", errors["rules[0].prefixes[1]"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_prefix_the_path_rules_refuse_is_refused_with_their_reason()
    {
        var errors = PolicyValidation.Validate([Valid with { Prefixes = ["CON"] }]);

        Assert.Contains("reserved name", errors["rules[0].prefixes[0]"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_rules_for_the_same_principal_and_service_are_refused_but_other_pairs_are_not()
    {
        Assert.Empty(Fields(Valid, Valid with { Service = "reports" }, Valid with { Principal = "reports" }));
        Assert.Equal(["rules[1]"], Fields(Valid, Valid with { Prefixes = ["other"] }));
    }

    [Fact]
    public void Rules_without_a_principal_or_a_service_are_not_also_reported_as_duplicates()
    {
        Assert.Equal(["rules[0].principal", "rules[1].principal"], Fields(Valid with { Principal = "" }, Valid with { Principal = "" }));
        Assert.Equal(["rules[0].service", "rules[1].service"], Fields(Valid with { Service = "" }, Valid with { Service = "" }));
    }

    [Fact]
    public void Every_validation_error_is_a_sentence_that_says_what_is_wanted()
    {
        PolicyRule[] rules =
        [
            new("operator", " ", ["chmod"], []),
            new("billing", "billing", ["put"], ["./a", "../b"]),
            new("billing", "billing", ["put"], ["*"]),
            null!,
        ];

        var errors = PolicyValidation.Validate(rules).Concat(PolicyValidation.Validate(null)).ToList();

        Assert.Equal(9, errors.Count);
        Assert.All(errors, e => Assert.Matches(@"^\S.{10,}\.$", Assert.Single(e.Value)));
        Assert.Contains("'billing' on service 'billing'", errors.Single(e => e.Key == "rules[2]").Value.Single(), StringComparison.Ordinal);
        Assert.Contains("put, mkdir, move, delete", errors.Single(e => e.Key == "rules[0].commands").Value.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_diff_ignores_the_order_of_commands_and_prefixes_but_not_their_content()
    {
        var rule = new PolicyRule("billing", "billing", ["put", "move"], ["a", "b"]);

        var reordered = PolicyDiff.Between([rule], [rule with { Commands = ["move", "put"], Prefixes = ["b", "a"] }]);
        var newPrefix = PolicyDiff.Between([rule], [rule with { Prefixes = ["a", "c"] }]);

        Assert.Equal((0, 0, 0), (reordered.Added.Count, reordered.Removed.Count, reordered.Changed.Count));
        Assert.Equal(["billing"], newPrefix.Changed.Select(r => r.Principal));
        Assert.Empty(newPrefix.Added);
        Assert.Empty(newPrefix.Removed);
    }

    [Fact]
    public void A_rule_is_keyed_by_principal_and_service_together()
    {
        var diff = PolicyDiff.Between([Valid], [Valid with { Service = "reports" }]);

        Assert.Equal(["reports"], diff.Added.Select(r => r.Service));
        Assert.Equal(["billing"], diff.Removed.Select(r => r.Service));
        Assert.Empty(diff.Changed);
    }

    [Theory]
    [InlineData("invoices", true)]
    [InlineData("invoices/2026/a.pdf", true)]
    [InlineData("invoicesX", false)]
    [InlineData("invoice", false)]
    [InlineData("other/invoices", false)]
    public void A_prefix_grants_itself_and_what_is_below_it_only(string path, bool allowed) =>
        Assert.Equal(allowed, Valid.Allows("billing", "billing", "put", path));
}
