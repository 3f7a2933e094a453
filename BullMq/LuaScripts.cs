using System.Reflection;

namespace BullMq;

/// <summary>The client's own Lua scripts, loaded once from embedded resources with the shared helpers spliced in.</summary>
internal static class LuaScripts
{
    public static readonly string Add = Load("add");
    public static readonly string Fetch = Load("fetch");
    public static readonly string Finish = Load("finish");
    public static readonly string Extend = Load("extend");
    public static readonly string Stalled = Load("stalled");
    public static readonly string Pause = Load("pause");
    public static readonly string Remove = Load("remove");

    private static string Load(string name)
    {
        var script = Read(name);
        return script.Replace("--@helpers", Read("helpers"), StringComparison.Ordinal);
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"BullMq.Scripts.{name}.lua")
            ?? throw new InvalidOperationException($"Embedded script {name}.lua is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
