using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BullMq;

namespace SampleConsumer.Tests.Infrastructure;

/// <summary>
/// A history of changes to a small tree of files, as Filestore would publish it (puts, rewrites, deletes, renames,
/// in sequence order), with the final tree written to a real folder so the consistency check has a disk to compare.
/// </summary>
public sealed class Workload
{
    public const string Env = "staging";
    public const string Service = "billing";

    private Workload(IReadOnlyList<Dictionary<string, object?>> events, IReadOnlyDictionary<string, string> finalTree)
    {
        Events = events;
        FinalTree = finalTree;
    }

    /// <summary>The events, as JSON objects, in sequence order.</summary>
    public IReadOnlyList<Dictionary<string, object?>> Events { get; }

    /// <summary>Path -> content after every event.</summary>
    public IReadOnlyDictionary<string, string> FinalTree { get; }

    /// <summary>How many versions Timestore must hold: one per event, two for a rename (both paths' histories).</summary>
    public long Versions => Events.Sum(e => e["kind"] as string == "renamed" ? 2 : 1);

    /// <summary>The ids of the events the test sends: the record a store is checked against, kept apart from the store.</summary>
    public IReadOnlySet<string> EventIds => Events.Select(e => (string)e["eventId"]!).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// What Metastore must hold for every path once each event is applied: the last event that touched the path (a
    /// rename touches its source and its target) and whether it left the path deleted. Worked out from the events sent.
    /// </summary>
    public IReadOnlyDictionary<string, PathState> LastChanges()
    {
        var last = new SortedDictionary<string, PathState>(StringComparer.Ordinal);
        foreach (var change in Events)
        {
            var (id, sequence, kind) = ((string)change["eventId"]!, (long)change["sequence"]!, (string)change["kind"]!);
            if (kind == "renamed")
            {
                last[(string)change["previousPath"]!] = new PathState(id, sequence, Deleted: true);
            }

            last[(string)change["path"]!] = new PathState(id, sequence, Deleted: kind == "deleted");
        }

        return last;
    }

    /// <summary>What Timestore must hold: for every path, the ids of the events that touched it, in sequence order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Histories()
    {
        var histories = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var change in Events)
        {
            foreach (var path in new[] { (string)change["path"]!, change.GetValueOrDefault("previousPath") as string }.OfType<string>())
            {
                if (!histories.TryGetValue(path, out var history))
                {
                    histories[path] = history = [];
                }

                history.Add((string)change["eventId"]!);
            }
        }

        return histories.ToDictionary(h => h.Key, h => (IReadOnlyList<string>)h.Value, StringComparer.Ordinal);
    }

    public static Workload Generate(int count, int paths, int seed)
    {
        var random = new Random(seed);
        var tree = new Dictionary<string, string>(StringComparer.Ordinal);
        var events = new List<Dictionary<string, object?>>(count);
        var sequence = 1_800_000_000_000_000L;
        for (var i = 0; i < count; i++)
        {
            var path = $"data/{random.Next(paths) % 10}/file-{random.Next(paths)}.txt";
            var change = new Dictionary<string, object?>
            {
                ["eventId"] = $"test-{seed}-{i}", ["env"] = Env, ["service"] = Service, ["source"] = "command",
                ["occurredAt"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ["sequence"] = ++sequence, ["correlationId"] = $"corr-{i}",
            };
            var roll = random.Next(10);
            if (tree.ContainsKey(path) && roll == 0)
            {
                tree.Remove(path);
                change["kind"] = "deleted";
                change["path"] = path;
            }
            else if (tree.TryGetValue(path, out var moving) && roll == 1)
            {
                var to = $"moved/{i}.txt";
                tree.Remove(path);
                tree[to] = moving;
                (change["kind"], change["path"], change["previousPath"], change["size"], change["sha256"]) =
                    ("renamed", to, path, (long)Encoding.UTF8.GetByteCount(moving), Hash(moving));
            }
            else
            {
                var content = $"version {i} of {path}\n";
                change["kind"] = tree.ContainsKey(path) ? "modified" : "created";
                tree[path] = content;
                (change["path"], change["size"], change["sha256"]) = (path, (long)Encoding.UTF8.GetByteCount(content), Hash(content));
            }

            events.Add(change);
        }

        return new Workload(events, tree);
    }

    /// <summary>Writes the final tree under <c>&lt;dataDirectory&gt;/staging/billing</c>.</summary>
    public void WriteTo(string dataDirectory)
    {
        var root = Path.Combine(dataDirectory, Env, Service);
        foreach (var (path, content) in FinalTree)
        {
            var file = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }
    }

    /// <summary>Publishes every event to <paramref name="queue"/>, in a shuffled order: consumers must order by sequence themselves.</summary>
    public async Task PublishAsync(QueueProducer producer, string queue, string idPrefix = "", int shuffleSeed = 7)
    {
        var order = Events.OrderBy(_ => 0).ToList();
        new Random(shuffleSeed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(order));
        foreach (var batch in order.Chunk(200))
        {
            await Task.WhenAll(batch.Select(e => producer.AddJsonAsync(queue, (string)e["kind"]!, JsonSerializer.Serialize(e),
                new JobOptions { JobId = idPrefix + (string)e["eventId"]!, Attempts = 10, Backoff = Backoff.Fixed(100) })));
        }
    }

    private static string Hash(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
}

/// <summary>A path as Metastore must leave it: the event that last changed it, and whether that removed it.</summary>
public sealed record PathState(string EventId, long Sequence, bool Deleted);
