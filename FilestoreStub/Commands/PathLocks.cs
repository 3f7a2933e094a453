namespace FilestoreStub.Commands;

/// <summary>
/// Serialises managed commands that touch the same path, so the order their changes get numbers in
/// (<see cref="Events.EventSequence"/>) is the order they happened on disk. Paths map onto a fixed set of stripes;
/// a folder move takes every stripe, since it changes paths nobody named. Stripes are always taken in ascending
/// order, so two commands can never wait on each other.
/// </summary>
public sealed class PathLocks
{
    private const int Stripes = 256;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<IDisposable> AcquireAsync(PreparedCommand command, CancellationToken ct)
    {
        var wanted = command.Change.Kind == Events.EventKinds.DirectoryRenamed
            ? Enumerable.Range(0, Stripes).ToArray()
            : new[] { command.Path.FullPath, command.Destination?.FullPath }
                .OfType<string>()
                .Select(p => (int)((uint)StringComparer.Ordinal.GetHashCode(p) % Stripes))
                .Distinct()
                .Order()
                .ToArray();
        var taken = new List<SemaphoreSlim>(wanted.Length);
        try
        {
            foreach (var stripe in wanted)
            {
                await _stripes[stripe].WaitAsync(ct);
                taken.Add(_stripes[stripe]);
            }
        }
        catch
        {
            Release(taken);
            throw;
        }

        return new Held(taken);
    }

    private static void Release(List<SemaphoreSlim> taken)
    {
        for (var i = taken.Count - 1; i >= 0; i--)
        {
            taken[i].Release();
        }
    }

    private sealed class Held(List<SemaphoreSlim> taken) : IDisposable
    {
        public void Dispose() => Release(taken);
    }
}
