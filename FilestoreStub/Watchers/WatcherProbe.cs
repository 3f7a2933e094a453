using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FilestoreStub.Paths;
using FilestoreStub.Roots;

namespace FilestoreStub.Watchers;

/// <summary>
/// The watcher probe: a small file written at the top of a managed root, and later removed, by Filestore itself but
/// without announcing either change to the watcher, so the watcher reports both as drift exactly as it would report a
/// service writing behind Filestore's back. It proves the whole path (watcher, queues, consumers) without anyone
/// touching the disk by hand. Names follow one pattern, so a removal can never reach any other file.
/// </summary>
public sealed partial class WatcherProbe(ManagedRoots roots, TimeProvider time, ILogger<WatcherProbe> logger)
{
    public const string NamePrefix = "filestore-watcher-probe-";

    /// <summary>The pattern every probe name follows, for error messages.</summary>
    public const string NamePattern = NamePrefix + "<UTC yyyyMMddTHHmmssfffZ>-<4 hex>.txt";

    public static bool IsProbeName(string? name) => name is not null && ProbeName().IsMatch(name);

    /// <summary>Writes a new probe file at the root of the service's managed root.</summary>
    public ProbeFile Write(string env, string service, string by, string correlationId)
    {
        var at = time.GetUtcNow();
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{NamePrefix}{at.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}.txt");
        var path = roots.Resolve(env, service, name);
        var content = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"Watcher probe of {env}/{service}, written by Filestore for {by} at {at:O} (correlation id {correlationId}).\n"
            + $"It proves the drift watcher sees changes made behind Filestore's back. Remove it with DELETE /envs/{env}/services/{service}/watcher/probe/{name}.\n"));

        // Written beside the roots and renamed into place: a scan never sees it half-written, so it is one created drift, not created then modified.
        var work = Directory.CreateDirectory(System.IO.Path.Combine(roots.WorkDirectory, "tmp")).FullName;
        var temporary = System.IO.Path.Combine(work, Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllBytes(temporary, content);
            path.EnsureNoLinks();
            File.Move(temporary, path.FullPath, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }

        var probe = new ProbeFile(env, service, path.Relative, Convert.ToHexStringLower(SHA256.HashData(content)), at);
        ProbeLog.Written(logger, env, service, probe.Path, by, correlationId);
        return probe;
    }

    /// <summary>Removes the probe file <paramref name="name"/>; null when there is none. The name must be a probe name.</summary>
    public ProbeFile? Delete(string env, string service, string name, string by, string correlationId)
    {
        if (!IsProbeName(name))
        {
            throw new ArgumentException($"'{name}' is not a probe name ({NamePattern}).", nameof(name));
        }

        var path = roots.Resolve(env, service, name);
        path.EnsureNoLinks();
        if (!File.Exists(path.FullPath))
        {
            return null;
        }

        string sha256;
        try
        {
            sha256 = ManagedTree.Sha256(path.FullPath);
            File.Delete(path.FullPath);
        }
        catch (FileNotFoundException)
        {
            // Removed by someone else meanwhile: nothing left to remove.
            return null;
        }

        var probe = new ProbeFile(env, service, path.Relative, sha256, time.GetUtcNow());
        ProbeLog.Removed(logger, env, service, probe.Path, by, correlationId);
        return probe;
    }

    [GeneratedRegex("^filestore-watcher-probe-[0-9]{8}T[0-9]{9}Z-[0-9a-f]{4}\\.txt$")]
    private static partial Regex ProbeName();
}

internal static partial class ProbeLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Watcher probe {Path} written in {Env}/{Service} for {By}, unannounced so the watcher reports it (CorrelationId {CorrelationId})")]
    public static partial void Written(ILogger logger, string env, string service, string path, string by, string correlationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watcher probe {Path} removed in {Env}/{Service} for {By}, unannounced so the watcher reports it (CorrelationId {CorrelationId})")]
    public static partial void Removed(ILogger logger, string env, string service, string path, string by, string correlationId);
}
