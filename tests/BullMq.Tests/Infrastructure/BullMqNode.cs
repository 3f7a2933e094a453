using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BullMq.Tests.Infrastructure;

/// <summary>Runs the real BullMQ (npm package, pinned in bullmq-node/package.json) through bullmq-node/driver.js.</summary>
public sealed class BullMqNode(RedisServer redis)
{
    private static readonly string Driver = Path.Combine(NodePackages.Folder(Path.Combine("tests", "BullMq.Tests", "bullmq-node"), "bullmq", "The real BullMQ is not installed"), "driver.js");

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
}
