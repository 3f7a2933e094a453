using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.AppModel;

/// <summary>A setup problem stops the AppHost with one line an operator can act on, never a stack trace.</summary>
public sealed class SetupFailureTests
{
    [Fact]
    public async Task Unknown_mode_stops_the_apphost_with_one_line_and_a_nonzero_exit()
    {
        using var state = new TempDirectory("setup-mode");

        var (exitCode, stderr) = await RunAppHostAsync(["--Sandbox:Runtime=banana", $"--Sandbox:StateDirectory={state.Path}"], path: null);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            ["sandbox: Sandbox:Runtime 'banana' is not a runtime mode; allowed values are auto, containers, executables."],
            stderr);
    }

    [Fact]
    public async Task A_dashboard_variable_no_dashboard_declares_stops_the_apphost_with_the_ones_they_do()
    {
        using var state = new TempDirectory("setup-variable");

        var (exitCode, stderr) = await RunAppHostAsync(
            ["--Sandbox:Runtime=executables", $"--Sandbox:StateDirectory={state.Path}", "--Sandbox:Dashboards:tenant=acme"], path: null);

        Assert.Equal(2, exitCode);
        Assert.Equal(["sandbox: Sandbox:Dashboards:tenant is not a dashboard variable; the dashboards declare env, service."], stderr);
    }

    [Fact]
    public async Task Missing_redis_server_stops_the_apphost_with_the_install_command()
    {
        using var state = new TempDirectory("setup-binary");
        using var emptyPath = new TempDirectory("empty-path");

        var (exitCode, stderr) = await RunAppHostAsync(
            ["--Sandbox:Runtime=executables", $"--Sandbox:StateDirectory={state.Path}"], path: emptyPath.Path);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr);
        Assert.StartsWith("sandbox: 'redis-server' was not found on PATH; executables mode needs it: install it with 'sudo apt-get install redis-server'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prometheus_port_already_in_use_is_reported_before_anything_starts()
    {
        using var state = new TempDirectory("setup-port");
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            Infrastructure.AppModel.BuildAsync("executables", state.Path, $"Sandbox:Ports:Prometheus={port}"));

        var setupProblem = Assert.IsType<SandboxSetupException>(Innermost(error));
        Assert.Equal(
            $"Port {port} for prometheus is already in use; stop what holds it or set Sandbox:Ports:Prometheus to another port (0 picks a free one).",
            setupProblem.Message);
    }

    [Fact]
    public async Task A_redis_server_still_running_from_the_state_directory_stops_the_start_naming_it()
    {
        using var state = new TempDirectory("setup-leftover");
        var data = Directory.CreateDirectory(Path.Combine(state.Path, "redis", "data")).FullName;
        // No TCP port, only a socket file: nothing but its working directory ties it to the sandbox.
        using var leftover = StartIn(data, "redis-server", "--port", "0", "--unixsocket", Path.Combine(data, "redis.sock"), "--save", "");
        await Waits.UntilAsync("the leftover redis-server's socket", Waits.Request, _ =>
            Task.FromResult(File.Exists(Path.Combine(data, "redis.sock")) ? ("listening", "") : ((string?)null, leftover.HasExited ? "it exited" : "no socket yet")));

        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => Infrastructure.AppModel.BuildAsync("executables", state.Path));

            var setupProblem = Assert.IsType<SandboxSetupException>(Innermost(error));
            Assert.Equal(
                $"redis-server (pid {leftover.Id}) already run from {state.Path}: another sandbox is running there, or its servers "
                + $"outlived it. Stop that sandbox, or end them with 'kill {leftover.Id}', then start again; or start this one with "
                + "another --Sandbox:StateDirectory.",
                setupProblem.Message);
        }
        finally
        {
            leftover.Kill();
            await leftover.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Other_programs_in_the_state_directory_such_as_an_operators_shell_do_not_stop_the_start()
    {
        using var state = new TempDirectory("setup-shell");
        using var shell = StartIn(state.Path, "sleep", "60");

        try
        {
            await using var builder = await Infrastructure.AppModel.BuildAsync("executables", state.Path);
            Assert.Contains(builder.Resources, r => r.Name == "redis");
        }
        finally
        {
            shell.Kill();
            await shell.WaitForExitAsync();
        }
    }

    private static Process StartIn(string directory, string program, params string[] args)
    {
        var process = Process.Start(new ProcessStartInfo(program, args) { WorkingDirectory = directory, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{program} did not start.");
        // Nobody reads its output; drain it so it never blocks on a full pipe.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return process;
    }

    private static Exception Innermost(Exception error) =>
        error is SandboxSetupException || error.InnerException is null ? error : Innermost(error.InnerException);

    // Runs the built AppHost as a real process, the way an operator's `dotnet run` would meet the error.
    private static async Task<(int ExitCode, string[] Stderr)> RunAppHostAsync(string[] args, string? path)
    {
        var appHost = Path.Combine(AppContext.BaseDirectory, "AppHost.dll");
        // The test host runs under the dotnet muxer; reuse it so an emptied PATH does not hide dotnet itself.
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, [appHost, .. args]);
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }

        var run = await ProgramRun.RunAsync(start, Waits.Process);
        return (run.ExitCode, run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
