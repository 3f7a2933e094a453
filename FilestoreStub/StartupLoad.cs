namespace FilestoreStub;

/// <summary>
/// State kept in Redis that must be in memory before the stub answers: hosted services start before the server
/// listens, so a request never sees a stub that has not loaded its modes, faults or operator token yet.
/// </summary>
public static class StartupLoad
{
    public static IServiceCollection LoadAtStart(this IServiceCollection services, Func<IServiceProvider, Task> load) =>
        services.AddSingleton<IHostedService>(sp => new Load(() => load(sp)));

    private sealed class Load(Func<Task> load) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => load();

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
