using FilestoreStub.Changes;
using FilestoreStub.Commands;
using FilestoreStub.Events;
using FilestoreStub.Paths;

namespace FilestoreStub.Tests.Commands;

/// <summary>
/// The locks that keep changes to one path in the order they happened: same path waits, other paths do not, a
/// folder move waits for everything, and nothing is left held by a wait that was given up.
/// </summary>
public sealed class PathLockTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _root = Directory.CreateTempSubdirectory("filestore-locks-").FullName;
    private readonly PathLocks _locks = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private PreparedCommand Put(string path) => Command(EventKinds.Created, path, null);

    private PreparedCommand Move(string path, string to, string kind = EventKinds.Renamed) => Command(kind, path, to);

    private PreparedCommand Command(string kind, string path, string? to)
    {
        var source = ManagedPath.Resolve(_root, path);
        var destination = to is null ? null : ManagedPath.Resolve(_root, to);
        var change = new PlannedChange(kind, to ?? path, to is null ? null : path);
        return new PreparedCommand(new FileCommand("put", path, to), source, destination, change, [change], []);
    }

    // The stripe production uses, so a test can pick paths that collide or not (string hashes differ per process).
    private int Stripe(string relative) => (int)((uint)StringComparer.Ordinal.GetHashCode(ManagedPath.Resolve(_root, relative).FullPath) % 256);

    private string PathInStripe(Func<int, bool> wanted, string prefix) =>
        Enumerable.Range(0, 100_000).Select(i => $"{prefix}{i}.txt").First(p => wanted(Stripe(p)));

    [Fact]
    public async Task A_second_command_on_the_same_path_waits_until_the_first_is_done()
    {
        var first = await _locks.AcquireAsync(Put("a.txt"), CancellationToken.None);

        var second = _locks.AcquireAsync(Put("a.txt"), CancellationToken.None);
        var other = await _locks.AcquireAsync(Put(PathInStripe(s => s != Stripe("a.txt"), "other")), CancellationToken.None).WaitAsync(Patience);

        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(Patience)).Dispose();
        other.Dispose();
    }

    [Fact]
    public async Task A_folder_move_waits_for_any_command_and_any_command_waits_for_it()
    {
        var put = await _locks.AcquireAsync(Put("a.txt"), CancellationToken.None);

        var folderMove = _locks.AcquireAsync(Move("docs", "archive/docs", EventKinds.DirectoryRenamed), CancellationToken.None);
        Assert.False(folderMove.IsCompleted);
        put.Dispose();
        var moving = await folderMove.WaitAsync(Patience);

        var later = _locks.AcquireAsync(Put(PathInStripe(s => s != Stripe("a.txt"), "later")), CancellationToken.None);
        Assert.False(later.IsCompleted);
        moving.Dispose();
        (await later.WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task A_move_whose_two_paths_share_a_stripe_takes_it_once()
    {
        var to = PathInStripe(s => s == Stripe("a.txt"), "same");

        using var held = await _locks.AcquireAsync(Move("a.txt", to), CancellationToken.None).WaitAsync(Patience);
    }

    [Fact]
    public async Task A_move_and_a_folder_move_queued_behind_the_same_command_cannot_wait_on_each_other()
    {
        var low = PathInStripe(s => s < 128, "low");
        var high = PathInStripe(s => s > Stripe(low), "high");
        var put = await _locks.AcquireAsync(Put(low), CancellationToken.None);

        // The folder move queues at the low stripe. Were the move to take the stripes as named (high first), it would
        // hold the high stripe while queued behind the folder move, which then waits for the high stripe for ever.
        var folderMove = _locks.AcquireAsync(Move("docs", "archive/docs", EventKinds.DirectoryRenamed), CancellationToken.None);
        var move = _locks.AcquireAsync(Move(high, low), CancellationToken.None);
        put.Dispose();

        (await folderMove.WaitAsync(Patience)).Dispose();
        (await move.WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task A_wait_that_is_given_up_releases_the_stripes_it_had_taken()
    {
        // A move takes its lower stripe first, then waits for the higher one, which a put holds.
        var low = PathInStripe(s => s < 128, "low");
        var high = PathInStripe(s => s > Stripe(low), "high");
        var holder = await _locks.AcquireAsync(Put(high), CancellationToken.None);
        using var giveUp = new CancellationTokenSource();

        var move = _locks.AcquireAsync(Move(low, high), giveUp.Token);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => move.WaitAsync(Patience));
        (await _locks.AcquireAsync(Put(low), CancellationToken.None).WaitAsync(Patience)).Dispose();
        holder.Dispose();
    }
}
