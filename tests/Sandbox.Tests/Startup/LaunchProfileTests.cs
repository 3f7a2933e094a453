using System.Diagnostics;
using System.Text.Json;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Startup;

/// <summary>
/// start.sh starts the built AppHost itself (no `dotnet run` left running beside it), so it applies the AppHost's launch
/// profile with a few lines of sed; they must read the same settings a JSON parser does.
/// </summary>
public sealed class LaunchProfileTests
{
    [Fact]
    public async Task Start_sh_applies_every_setting_of_the_apphost_launch_profile()
    {
        var settings = Repository.PathOf("AppHost", "Properties", "launchSettings.json");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(settings));
        var profile = Assert.Single(json.RootElement.GetProperty("profiles").EnumerateObject()).Value;
        var expected = profile.GetProperty("environmentVariables").EnumerateObject()
            .Select(v => $"{v.Name}={v.Value.GetString()}")
            .Append($"ASPNETCORE_URLS={profile.GetProperty("applicationUrl").GetString()}")
            .Order().ToList();

        var start = new ProcessStartInfo("bash", ["-c", "source AppHost/prerequisites.sh && sandbox_launch_profile_environment AppHost/Properties/launchSettings.json"])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(Waits.Request);
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Contains("ASPIRE_ALLOW_UNSECURED_TRANSPORT=true", expected);
    }
}
