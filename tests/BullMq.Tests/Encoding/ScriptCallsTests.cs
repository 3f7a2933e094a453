using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace BullMq.Tests.Encoding;

public sealed class ScriptCallsTests
{
    private static readonly QueueKeys Orders = new("orders");
    private static readonly QueueKeys Invoices = new("invoices");
    private static readonly TimeSpan Lock = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Scripts => ["add", "fetch", "finish", "extend", "stalled", "pause", "remove"];

    // A key out of place makes Lua write to the wrong structure without any error, so the header is checked, not trusted.
    [Theory]
    [MemberData(nameof(Scripts))]
    public void Each_call_passes_its_keys_in_the_order_the_script_header_lists_them(string script)
    {
        var (scriptText, keys) = script switch
        {
            "add" => Parts(ScriptCalls.Add([Orders], 1, "n", "{}", new JobOptions())),
            "fetch" => Parts(ScriptCalls.Fetch(Orders, 1, "token", Lock)),
            "finish" => Parts(ScriptCalls.Finish(Orders, "7", "token", 1, "completed", "null", "[]", null, 0, false, 1, true, Lock)),
            "extend" => Parts(ScriptCalls.Extend(Orders, "token", Lock, ["7"])),
            "stalled" => Parts(ScriptCalls.Stalled(Orders, 1, 1, Lock)),
            "pause" => Parts(ScriptCalls.Pause(Orders, paused: true)),
            "remove" => Parts(ScriptCalls.Remove(Orders, ["7"])),
            _ => throw new ArgumentOutOfRangeException(nameof(script)),
        };

        Assert.Equal(KeysListedIn(scriptText).Select(name => Orders.Prefix + name), keys.Select(k => (string)k!));
    }

    [Fact]
    public void A_fan_out_add_passes_each_queue_its_own_block_of_keys_and_its_prefix_in_queue_order()
    {
        var options = new JobOptions { JobId = "evt-1", Delay = 5000, Priority = 2, Lifo = true };
        var add = ScriptCalls.Add([Orders, Invoices], 1_700_000_000_000, "created", """{"a":1}""", options);

        var perQueue = KeysListedIn(add.Script.Text).ToList();
        Assert.Equal(
            perQueue.Select(name => Orders.Prefix + name).Concat(perQueue.Select(name => Invoices.Prefix + name)),
            add.Keys.Select(k => (string)k!));
        Assert.Equal(
            ["2", "1700000000000", "created", """{"a":1}""", options.ToJson(), "5000", "2", "evt-1", "1", Orders.Prefix, Invoices.Prefix],
            add.Args.Select(a => (string)a!));
    }

    [Fact]
    public void An_add_reads_one_id_and_created_flag_per_queue_in_queue_order()
    {
        var add = ScriptCalls.Add([Orders, Invoices], 1, "created", "{}", new JobOptions { JobId = "evt-1" });

        var added = add.Read(RedisResult.Create([RedisResult.Create((RedisValue)"evt-1"), RedisResult.Create(1), RedisResult.Create((RedisValue)"evt-1"), RedisResult.Create(0)]));

        Assert.Equal([new AddedJob("orders", "evt-1", true), new AddedJob("invoices", "evt-1", false)], added);
    }

    [Fact]
    public void A_finish_passes_its_arguments_where_the_script_reads_them()
    {
        var finish = ScriptCalls.Finish(
            Orders, "7", "token", 1_700_000_000_000, "delay", "boom", """["at x"]""", new KeepJobs(5, 3600),
            250, lifo: true, attempts: 3, fetchNext: false, TimeSpan.FromSeconds(30));

        Assert.Equal(
            ["7", Orders.Prefix, "token", "1700000000000", "delay", "boom", """["at x"]""", "5", "3600", "250", "1", "3", "0", "30000"],
            finish.Args.Select(a => (string)a!));
    }

    [Fact]
    public void A_finish_reads_a_negative_status_a_next_job_or_none()
    {
        var finish = ScriptCalls.Finish(Orders, "7", "token", 1, "completed", "null", "[]", null, 0, false, 1, true, Lock);

        var lockTaken = finish.Read(RedisResult.Create([RedisResult.Create(-6)]));
        var nothingReady = finish.Read(RedisResult.Create([RedisResult.Create(1), RedisResult.Create(0), RedisResult.Create(1_700_000_000_000)]));
        var nextTaken = finish.Read(RedisResult.Create(
        [
            RedisResult.Create(1), RedisResult.Create(1), RedisResult.Create((RedisValue)"8"),
            RedisResult.Create([RedisResult.Create((RedisValue)"name"), RedisResult.Create((RedisValue)"created")]),
        ]));

        Assert.Equal(-6, lockTaken.Status);
        Assert.Null(lockTaken.Next);
        Assert.Equal(1, nothingReady.Status);
        Assert.Null(nothingReady.Next);
        Assert.Equal(1, nextTaken.Status);
        Assert.Equal(("orders", "8", "created"), (nextTaken.Next!.Queue, nextTaken.Next.Id, nextTaken.Next.Name));
    }

    private static (string ScriptText, RedisKey[] Keys) Parts<T>(ScriptCall<T> call) => (call.Script.Text, call.Keys);

    // The header's KEYS section, e.g. "KEYS: [1] wait [2] active" or "KEYS, 9 per queue: wait, meta, …".
    private static IEnumerable<string> KeysListedIn(string scriptText)
    {
        var start = scriptText.IndexOf("KEYS", StringComparison.Ordinal);
        var section = scriptText[start..scriptText.IndexOf("ARGV:", start, StringComparison.Ordinal)];
        return Regex.Matches(section[(section.IndexOf(':', StringComparison.Ordinal) + 1)..], "[a-z][a-z-]*").Select(m => m.Value);
    }
}
