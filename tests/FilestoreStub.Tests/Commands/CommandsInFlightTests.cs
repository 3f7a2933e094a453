using FilestoreStub.Commands;

namespace FilestoreStub.Tests.Commands;

/// <summary>The count of running commands a rollback waits on before it exports the outbox.</summary>
public sealed class CommandsInFlightTests
{
    [Fact]
    public async Task With_nothing_running_the_wait_ends_at_once()
    {
        Assert.True(await new CommandsInFlight().WaitUntilNoneAsync("staging", "billing", TimeSpan.Zero));
    }

    [Fact]
    public async Task A_running_command_holds_the_wait_of_its_own_service_only_until_it_ends()
    {
        var inFlight = new CommandsInFlight();
        var running = inFlight.Enter("staging", "billing");

        Assert.False(await inFlight.WaitUntilNoneAsync("staging", "billing", TimeSpan.FromMilliseconds(50)));
        Assert.True(await inFlight.WaitUntilNoneAsync("staging", "reports", TimeSpan.Zero));
        Assert.True(await inFlight.WaitUntilNoneAsync("production", "billing", TimeSpan.Zero));

        var waiting = inFlight.WaitUntilNoneAsync("staging", "billing", TimeSpan.FromSeconds(10));
        running.Dispose();

        Assert.True(await waiting);
        Assert.Equal(0, inFlight.Count("staging", "billing"));
    }

    [Fact]
    public async Task Two_commands_of_one_service_both_have_to_end()
    {
        var inFlight = new CommandsInFlight();
        var first = inFlight.Enter("staging", "billing");
        var second = inFlight.Enter("staging", "billing");

        first.Dispose();
        Assert.False(await inFlight.WaitUntilNoneAsync("staging", "billing", TimeSpan.FromMilliseconds(30)));
        second.Dispose();
        Assert.True(await inFlight.WaitUntilNoneAsync("staging", "billing", TimeSpan.Zero));
    }
}
