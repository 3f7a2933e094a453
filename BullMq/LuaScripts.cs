using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace BullMq;

/// <summary>One script: its text and SHA-1, so calls send the 20-byte hash (EVALSHA) instead of the text.</summary>
internal sealed class Script(string text)
{
    public string Text { get; } = text;

    // Redis names scripts by their SHA-1; it identifies the script, it protects nothing.
#pragma warning disable CA5350
    public byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350

    /// <summary>Runs the script by hash; a server that does not know it yet (first call, restart) gets the text once.</summary>
    public async Task<RedisResult> RunAsync(IDatabase db, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await db.ScriptEvaluateAsync(Sha1, keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(Text, keys, args);
        }
    }
}

/// <summary>The client's own Lua scripts, loaded once from embedded resources with the shared helpers spliced in.</summary>
internal static class LuaScripts
{
    public static readonly Script Add = Load("add");
    public static readonly Script Fetch = Load("fetch");
    public static readonly Script Finish = Load("finish");
    public static readonly Script Extend = Load("extend");
    public static readonly Script Stalled = Load("stalled");
    public static readonly Script Pause = Load("pause");
    public static readonly Script Remove = Load("remove");

    private static Script Load(string name) =>
        new(Read(name).Replace("--@helpers", Read("helpers"), StringComparison.Ordinal));

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"BullMq.Scripts.{name}.lua")
            ?? throw new InvalidOperationException($"Embedded script {name}.lua is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
