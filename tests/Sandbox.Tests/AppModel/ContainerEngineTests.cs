using System.Diagnostics;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;
using DistributedApplication = Aspire.Hosting.DistributedApplication;

namespace Sandbox.Tests.AppModel;

/// <summary>
/// Which engine the sandbox finds, the AppHost and the scripts alike, with stand-in <c>docker</c> and <c>podman</c>
/// clients that answer as the real ones do: Docker's <c>info</c> knows <c>.ServerVersion</c>, Podman's knows
/// <c>.Version.Version</c> and fails on the other.
/// </summary>
public sealed class ContainerEngineTests : IDisposable
{
    private const string DockerWithoutEngine =
        "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1";

    private const string DockerWithEngine =
        """[ "$3" = '{{.ServerVersion}}' ] && { echo 28.2.2; exit 0; }; echo "template: info:1: unexpected $3" >&2; exit 1""";

    private const string Podman =
        """[ "$3" = '{{.Version.Version}}' ] && { echo 5.4.2; exit 0; }; echo "Error: template: info:1:2: executing \"info\" at <$3>: can't evaluate field" >&2; exit 125""";

    // Podman has no daemon on Linux; on a Mac its machine may be stopped.
    private const string PodmanWithoutMachine =
        "echo 'Error: unable to connect to Podman socket: Get \"http://d/v5.4.2/libpod/_ping\": connection refused' >&2; exit 125";

    private readonly StandInPrograms _clients = new("engines");

    public void Dispose() => _clients.Dispose();

    [Fact]
    public void Podman_is_found_when_docker_has_no_engine()
    {
        _clients.Add("docker", DockerWithoutEngine);
        _clients.Add("podman", Podman);

        var answer = new ContainerRuntimeProbe(preferredRuntime: null, _clients.Path).Probe();

        Assert.True(answer.Answered, answer.Detail);
        Assert.Equal("podman", answer.Runtime);
        Assert.Equal("the podman engine answered (server 5.4.2)", answer.Detail);
    }

    [Fact]
    public void Docker_is_asked_first()
    {
        _clients.Add("docker", DockerWithEngine);
        _clients.Add("podman", Podman);

        var answer = new ContainerRuntimeProbe(preferredRuntime: null, _clients.Path).Probe();

        Assert.Equal("docker", answer.Runtime);
        Assert.Equal("the docker engine answered (server 28.2.2)", answer.Detail);
    }

    [Fact]
    public void A_client_without_its_engine_is_not_an_engine_and_each_failure_is_named()
    {
        _clients.Add("docker", DockerWithoutEngine);

        var answer = new ContainerRuntimeProbe(preferredRuntime: null, _clients.Path).Probe();

        Assert.False(answer.Answered);
        Assert.Null(answer.Runtime);
        Assert.Equal("docker: client present, engine not reachable; podman: not installed", answer.Detail);

        _clients.Add("podman", PodmanWithoutMachine);
        Assert.False(new ContainerRuntimeProbe(preferredRuntime: null, _clients.Path).Probe().Answered);
    }

    [Fact]
    public void The_preferred_engine_is_the_only_one_asked()
    {
        _clients.Add("docker", DockerWithEngine);
        _clients.Add("podman", Podman);

        var answer = new ContainerRuntimeProbe("podman", _clients.Path).Probe();

        Assert.Equal("podman", answer.Runtime);
    }

    [Fact]
    public void Aspire_is_told_to_drive_the_engine_that_answered()
    {
        using var state = new TempDirectory("engine-state");
        var builder = DistributedApplication.CreateBuilder(["--Sandbox:Runtime=auto", $"--Sandbox:StateDirectory={state.Path}"]);

        var sandbox = builder.AddSandbox(new AnsweringProbe("podman"));

        Assert.Equal(RuntimeMode.Containers, sandbox.Runtime);
        Assert.Equal("podman", builder.Configuration[SandboxExtensions.ContainerRuntimeSetting]);
    }

    [Fact]
    public void An_engine_the_user_named_is_left_as_named()
    {
        using var state = new TempDirectory("engine-state");
        var builder = DistributedApplication.CreateBuilder(
            ["--Sandbox:Runtime=auto", $"--Sandbox:StateDirectory={state.Path}", $"--{SandboxExtensions.ContainerRuntimeSetting}=docker"]);

        builder.AddSandbox(new AnsweringProbe("podman"));

        Assert.Equal("docker", builder.Configuration[SandboxExtensions.ContainerRuntimeSetting]);
    }

    [Fact]
    public async Task The_scripts_find_podman_when_docker_has_no_engine()
    {
        _clients.Add("docker", DockerWithoutEngine);
        _clients.Add("podman", Podman);

        var run = await ScriptAsync("source AppHost/prerequisites.sh && sandbox_container_engine");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("podman\n", run.Stdout);
    }

    [Fact]
    public async Task The_smoke_script_says_in_one_line_that_it_ran_nothing_without_an_engine()
    {
        _clients.Add("docker", DockerWithoutEngine);
        _clients.Add("podman", PodmanWithoutMachine);
        using var state = new TempDirectory("smoke-state");
        var stateDirectory = Path.Combine(state.Path, "sandbox");

        var run = await ScriptAsync("tests/containers-smoke.sh", ("SANDBOX_DIR", stateDirectory));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("containers-smoke: no container engine answers (asked: docker podman); nothing was run\n", run.Stdout);
        Assert.False(Directory.Exists(stateDirectory), "the script started something");
    }

    /// <summary>Runs bash in the repository with the stand-ins first on PATH and the system's tools after them.</summary>
    private async Task<ProgramResult> ScriptAsync(string script, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("bash", ["-c", script]) { WorkingDirectory = Repository.Root };
        start.Environment["PATH"] = $"{_clients.Path}:/usr/bin:/bin";
        start.Environment.Remove(SandboxExtensions.ContainerRuntimeSetting);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return await ProgramRun.RunAsync(start, Waits.Request);
    }

    private sealed class AnsweringProbe(string runtime) : IContainerRuntimeProbe
    {
        public ContainerRuntimeAnswer Probe() => new(true, $"the {runtime} engine answered (server 1.0)", runtime);
    }
}
