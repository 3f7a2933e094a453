using Runbook;
using Runbook.Drills;

namespace Sandbox.Tests.Runbook;

/// <summary>Drills are found by the names the CLI, the dashboard and the training use.</summary>
public sealed class DrillScenarioTests
{
    [Fact]
    public void Every_scenario_is_found_by_its_own_name()
    {
        Assert.All(DrillScenario.All, scenario => Assert.Same(scenario, DrillScenario.Find(scenario.Name)));
    }

    [Fact]
    public void The_names_are_unique_and_list_and_clear_are_not_among_them()
    {
        var names = DrillScenario.All.Select(s => s.Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        // The CLI reads 'list' and 'clear' as its own words before looking for a scenario.
        Assert.DoesNotContain("list", names);
        Assert.DoesNotContain("clear", names);
    }

    [Theory]
    [InlineData("no-such-drill")]
    [InlineData("Watcher-Off")]
    [InlineData("")]
    public void An_unknown_name_is_bad_usage_listing_every_known_scenario(string name)
    {
        var error = Assert.Throws<BadUsageException>(() => DrillScenario.Find(name));

        Assert.Equal(RunbookExit.BadUsage, error.Exit);
        Assert.Equal($"Unknown drill scenario '{name}'; known: {string.Join(", ", DrillScenario.All.Select(s => s.Name))}.", error.Message);
    }
}
