using System.Collections.Concurrent;
using System.Diagnostics;
using FilestoreStub.Changes;

namespace FilestoreStub.Commands;

/// <summary>Counts each service's running commands (<see cref="CommandRecording"/> enters and leaves).</summary>
public sealed class CommandsInFlight : ICommandsInFlight
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);
    private readonly ConcurrentDictionary<(string Env, string Service), int> _running = new();

    /// <summary>Counts a command of the service as running until the returned scope is disposed.</summary>
    public Running Enter(string env, string service)
    {
        _running.AddOrUpdate((env, service), 1, (_, n) => n + 1);
        return new Running(this, env, service);
    }

    public int Count(string env, string service) => _running.GetValueOrDefault((env, service));

    public async Task<bool> WaitUntilNoneAsync(string env, string service, TimeSpan within, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (Count(env, service) > 0)
        {
            if (clock.Elapsed >= within)
            {
                return false;
            }

            await Task.Delay(PollEvery, ct);
        }

        return true;
    }

    /// <summary>One running command; disposing it ends it.</summary>
    public readonly struct Running(CommandsInFlight owner, string env, string service) : IDisposable
    {
        public void Dispose() => owner._running.AddOrUpdate((env, service), 0, (_, n) => n - 1);
    }
}
