using Sandbox.AppHost;

namespace Sandbox.Tests.AppModel;

public sealed class RuntimeModeTests
{
    private sealed class FixedProbe(bool answered, string detail, string? runtime = null) : IContainerRuntimeProbe
    {
        public int Calls { get; private set; }

        public ContainerRuntimeAnswer Probe()
        {
            Calls++;
            return new ContainerRuntimeAnswer(answered, detail, runtime);
        }
    }

    [Fact]
    public void Auto_picks_containers_when_an_engine_answers_and_says_why()
    {
        var (mode, reason, engine) = RuntimeModes.Resolve("auto", new FixedProbe(true, "the podman engine answered (server 5.2.2)", "podman"));

        Assert.Equal(RuntimeMode.Containers, mode);
        Assert.Equal("podman", engine);
        Assert.Contains("podman engine answered", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_falls_back_to_executables_when_no_engine_answers_and_says_why()
    {
        var (mode, reason, engine) = RuntimeModes.Resolve(null, new FixedProbe(false, "docker: client present, engine not reachable"));

        Assert.Equal(RuntimeMode.Executables, mode);
        Assert.Null(engine);
        Assert.Contains("no container runtime answered (docker: client present, engine not reachable)", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("containers", RuntimeMode.Containers)]
    [InlineData("Executables", RuntimeMode.Executables)]
    [InlineData(" executables ", RuntimeMode.Executables)]
    public void An_explicit_mode_is_taken_without_asking_the_engine(string configured, RuntimeMode expected)
    {
        var probe = new FixedProbe(true, "unused");

        var (mode, _, engine) = RuntimeModes.Resolve(configured, probe);

        Assert.Equal(expected, mode);
        Assert.Equal(0, probe.Calls);
        Assert.Null(engine);
    }

    [Fact]
    public void An_unknown_mode_is_refused_with_the_allowed_values()
    {
        var error = Assert.Throws<SandboxSetupException>(() => RuntimeModes.Resolve("kubernetes", new FixedProbe(true, "unused")));

        Assert.Equal("Sandbox:Runtime 'kubernetes' is not a runtime mode; allowed values are auto, containers, executables.", error.Message);
    }

    [Fact]
    public void A_missing_binary_names_what_to_install()
    {
        var error = Assert.Throws<SandboxSetupException>(() =>
            ExecutableLocator.Require("no-such-sandbox-binary", "install it with 'sudo apt-get install no-such'"));

        Assert.Equal("'no-such-sandbox-binary' was not found on PATH; executables mode needs it: install it with 'sudo apt-get install no-such'.", error.Message);
    }
}
