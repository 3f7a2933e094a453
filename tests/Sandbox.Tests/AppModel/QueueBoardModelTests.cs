using Aspire.Hosting.ApplicationModel;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.AppModel;

public sealed class ContainersModeQueueBoardTests() : QueueBoardModelTests("containers");

public sealed class ExecutablesModeQueueBoardTests() : QueueBoardModelTests("executables");

/// <summary>The queue board runs on the host with node in both modes, on the consumers' queues, read-only unless asked.</summary>
public abstract class QueueBoardModelTests(string runtime) : ModelTest(runtime)
{
    private ExecutableResource Board => Assert.IsType<ExecutableResource>(Builder.Resource("queue-board"));

    [Fact]
    public async Task Node_runs_the_board_from_its_folder_on_the_host()
    {
        Assert.Equal("node", Path.GetFileName(Board.Command));
        Assert.Equal(Repository.PathOf("AppHost", "QueueBoard"), Board.WorkingDirectory);
        Assert.Equal("--max-semi-space-size=1 server.js", await Infrastructure.AppModel.ArgumentsWithoutResolvingAsync(Board));
    }

    [Fact]
    public void It_references_redis_and_waits_for_it()
    {
        Assert.Contains("redis", Board.References());
        Assert.Contains("redis", Board.WaitsFor());
    }

    [Fact]
    public async Task It_shows_the_consumers_queues_read_only_on_an_http_endpoint_with_a_health_check()
    {
        var environment = await Board.EnvironmentWithoutResolvingAsync();

        Assert.Equal("metastore-events,timestore-events", environment["QUEUE_BOARD_QUEUES"]);
        Assert.Equal("true", environment["QUEUE_BOARD_READ_ONLY"]);
        Assert.Contains("ConnectionStrings__redis", environment.Keys);
        Assert.Contains("PORT", environment.Keys);
        Assert.Contains(Board.Annotations.OfType<EndpointAnnotation>(), e => e.Name == QueueBoardExtensions.EndpointName && e.UriScheme == "http");
        Assert.Contains(Board.Annotations.OfType<HealthCheckAnnotation>(), h => h.Key.StartsWith("queue-board", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_are_allowed_only_when_the_setting_says_so()
    {
        using var state = new TempDirectory("board-writes");
        await using var writable = await Infrastructure.AppModel.BuildAsync(Runtime, state.Path, $"{QueueBoardExtensions.ReadOnlySetting}=false");

        var environment = await writable.Resource("queue-board").EnvironmentWithoutResolvingAsync();

        Assert.Equal("false", environment["QUEUE_BOARD_READ_ONLY"]);
    }
}

public sealed class QueueBoardSetupTests
{
    [Fact]
    public async Task A_read_only_setting_that_is_not_a_boolean_is_a_one_line_setup_error()
    {
        using var state = new TempDirectory("board-setting");

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            Infrastructure.AppModel.BuildAsync("executables", state.Path, $"{QueueBoardExtensions.ReadOnlySetting}=sometimes"));

        var setupProblem = Assert.IsType<SandboxSetupException>(Innermost(error));
        Assert.Equal("Sandbox:QueueBoard:ReadOnly must be true or false, not 'sometimes'.", setupProblem.Message);
    }

    [Fact]
    public void Missing_npm_packages_are_a_one_line_setup_error_that_says_how_to_install_them()
    {
        using var board = new TempDirectory("board-uninstalled");

        var error = Assert.Throws<SandboxSetupException>(() => QueueBoardExtensions.EnsureInstalled(board.Path));

        Assert.Contains("npm packages are not installed", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("run AppHost/start.sh, which installs it, or 'npm ci --prefix AppHost/QueueBoard'.", error.Message, StringComparison.Ordinal);
    }

    private static Exception Innermost(Exception error) =>
        error is SandboxSetupException || error.InnerException is null ? error : Innermost(error.InnerException);
}
