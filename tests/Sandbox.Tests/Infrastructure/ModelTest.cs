using Aspire.Hosting.Testing;

namespace Sandbox.Tests.Infrastructure;

/// <summary>A test of the AppHost's model in one runtime mode, with its state directory in a temp folder.</summary>
public abstract class ModelTest(string runtime) : IAsyncLifetime
{
    private readonly TempDirectory _state = new($"model-{runtime}");

    protected IDistributedApplicationTestingBuilder Builder { get; private set; } = null!;

    protected string StateDirectory => _state.Path;

    protected string Runtime => runtime;

    public async Task InitializeAsync() => Builder = await AppModel.BuildAsync(runtime, _state.Path);

    public async Task DisposeAsync()
    {
        await Builder.DisposeAsync();
        _state.Dispose();
    }
}
