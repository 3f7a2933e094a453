using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BullMq.Tests.Infrastructure;

/// <summary>Runs the real BullMQ (npm package, pinned in bullmq-node/package.json) through bullmq-node/driver.js.</summary>
public sealed class BullMqNode(RedisServer redis)
{
    private static readonly string Driver = Path.Combine(FindInteropDirectory(), "driver.js");

    public async Task<JsonNode> RunAsync(string command, object args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("node", [Driver, command, JsonSerializer.Serialize(args)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["REDIS_PORT"] = redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"BullMQ driver '{command}' did not finish; stderr: {await stderr}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"BullMQ driver '{command}' failed: {await stderr}");
        }

        return JsonNode.Parse(await stdout) ?? throw new InvalidOperationException($"BullMQ driver '{command}' printed nothing.");
    }

    private static string FindInteropDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "BullMq.Tests", "bullmq-node");
            if (Directory.Exists(Path.Combine(candidate, "node_modules", "bullmq")))
            {
                return candidate;
            }

            if (Directory.Exists(candidate))
            {
                throw new InvalidOperationException(
                    $"The real BullMQ is not installed in {candidate}; run 'npm ci --prefix {candidate}' (tests/run.sh does).");
            }
        }

        throw new InvalidOperationException("tests/BullMq.Tests/bullmq-node not found above the test binaries.");
    }
}
