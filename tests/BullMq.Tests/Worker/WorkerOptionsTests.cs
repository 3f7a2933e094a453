namespace BullMq.Tests.Worker;

public sealed class WorkerOptionsTests
{
    private static readonly Func<Job, CancellationToken, Task<object?>> Nothing = (_, _) => Task.FromResult<object?>(null);

    [Theory]
    [InlineData(0, 2000, 1000, 1, nameof(WorkerOptions.Concurrency))]
    [InlineData(1, 99, 1000, 1, nameof(WorkerOptions.LockDuration))]
    [InlineData(1, 2000, 99, 1, nameof(WorkerOptions.StalledInterval))]
    [InlineData(1, 2000, 1000, -1, nameof(WorkerOptions.MaxStalledCount))]
    public async Task Invalid_worker_options_are_refused_naming_the_option(int concurrency, int lockMs, int stalledMs, int maxStalled, string option)
    {
        await using var connection = QueueConnection.Create("127.0.0.1:1");
        var options = new WorkerOptions
        {
            Concurrency = concurrency,
            LockDuration = TimeSpan.FromMilliseconds(lockMs),
            StalledInterval = TimeSpan.FromMilliseconds(stalledMs),
            MaxStalledCount = maxStalled,
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new QueueWorker(connection, "q", Nothing, options));

        Assert.Equal(option, error.ParamName);
    }

    [Fact]
    public async Task Worker_options_at_their_lowest_allowed_values_are_accepted()
    {
        await using var connection = QueueConnection.Create("127.0.0.1:1");
        var options = new WorkerOptions
        {
            Concurrency = 1,
            LockDuration = TimeSpan.FromMilliseconds(100),
            StalledInterval = TimeSpan.FromMilliseconds(100),
            MaxStalledCount = 0,
        };

        await using var worker = new QueueWorker(connection, "q", Nothing, options);

        Assert.Equal("q", worker.Queue);
    }

    [Fact]
    public async Task A_worker_given_no_options_takes_the_defaults()
    {
        await using var connection = QueueConnection.Create("127.0.0.1:1");

        await using var worker = new QueueWorker(connection, "q", Nothing);

        Assert.Equal("q", worker.Queue);
    }

    [Fact]
    public void The_defaults_are_bullmqs()
    {
        var options = new WorkerOptions();

        Assert.Equal(1, options.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LockDuration);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StalledInterval);
        Assert.Equal(1, options.MaxStalledCount);
        Assert.Equal(TimeSpan.FromSeconds(5), options.BlockTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MaxReconnectDelay);
    }
}
