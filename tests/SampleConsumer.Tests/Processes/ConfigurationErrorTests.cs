using System.Diagnostics;
using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>A consumer started with a role it cannot play stops at once and says which setting is wrong.</summary>
public sealed class ConfigurationErrorTests
{
    [Theory]
    [InlineData(null, "Consumer:Role must be 'metastore' or 'timestore'.")]
    [InlineData("archivestore", "Failed to convert configuration value 'archivestore' at 'Consumer:Role'")]
    public async Task A_missing_or_unknown_role_stops_the_start_with_a_message_naming_the_setting(string? role, string message)
    {
        var start = new ProcessStartInfo("dotnet", [ConsumerProcess.Dll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        // Never reached: the role is judged before anything connects.
        start.Environment["ConnectionStrings__redis"] = "127.0.0.1:1";
        start.Environment["Consumer__Role"] = role;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains(message, await output + await errors, StringComparison.Ordinal);
    }
}
