using System.Diagnostics;
using System.Text.Json;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Startup;

/// <summary>
/// start.sh starts the built AppHost itself (no `dotnet run` left running beside it), so it applies the AppHost's launch
/// profile itself; it must read the same settings `dotnet run` would, whatever the file's layout.
/// </summary>
public sealed class LaunchProfileTests
{
    private static readonly string Settings = Repository.PathOf("AppHost", "Properties", "launchSettings.json");

    [Fact]
    public async Task Start_sh_applies_every_setting_of_the_apphost_launch_profile()
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Settings));
        var profile = Assert.Single(json.RootElement.GetProperty("profiles").EnumerateObject()).Value;
        var expected = profile.GetProperty("environmentVariables").EnumerateObject()
            .Select(v => $"{v.Name}={v.Value.GetString()}")
            .Append($"ASPNETCORE_URLS={profile.GetProperty("applicationUrl").GetString()}")
            .Order().ToList();

        var (exitCode, output) = await ReadProfileAsync(Settings);

        Assert.Equal(0, exitCode);
        Assert.Equal(expected, output);
        Assert.Contains("ASPIRE_ALLOW_UNSECURED_TRANSPORT=true", expected);
    }

    [Fact]
    public async Task A_reformatted_file_reads_the_same_and_the_first_project_profile_wins()
    {
        using var folder = new TempDirectory("launch-profile");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Settings));
        var minified = Path.Combine(folder.Path, "minified.json");
        await File.WriteAllTextAsync(minified, JsonSerializer.Serialize(json.RootElement));
        var twoProfiles = Path.Combine(folder.Path, "two.json");
        await File.WriteAllTextAsync(twoProfiles, """
            {"profiles":{"docker":{"commandName":"Docker","environmentVariables":{"A":"docker"}},
            	"first":{"commandName":"Project","environmentVariables":{"A":"first"}},"second":{"commandName":"Project","environmentVariables":{"A":"second"}}}}
            """);

        Assert.Equal((await ReadProfileAsync(Settings)).Output, (await ReadProfileAsync(minified)).Output);
        Assert.Equal(["A=first"], (await ReadProfileAsync(twoProfiles)).Output);
    }

    [Fact]
    public async Task A_file_without_a_project_profile_fails_instead_of_exporting_nothing()
    {
        using var folder = new TempDirectory("launch-profile");
        var empty = Path.Combine(folder.Path, "launchSettings.json");
        await File.WriteAllTextAsync(empty, """{ "profiles": {} }""");

        var (exitCode, output) = await ReadProfileAsync(empty);

        Assert.NotEqual(0, exitCode);
        Assert.Empty(output);
    }

    private static async Task<(int ExitCode, List<string> Output)> ReadProfileAsync(string file)
    {
        var start = new ProcessStartInfo("bash", ["-c", "source AppHost/prerequisites.sh && sandbox_launch_profile_environment \"$0\"", file])
        {
            WorkingDirectory = Repository.Root,
        };
        var run = await ProgramRun.RunAsync(start, Waits.Request);
        return (run.ExitCode, run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList());
    }
}
