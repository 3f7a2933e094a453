using FilestoreStub.Paths;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Roots;

/// <summary>The managed root of every onboarded service in every environment, and the way into one.</summary>
public sealed class ManagedRoots(IOptions<ManagedRootOptions> options)
{
    private readonly ManagedRootOptions _options = options.Value;

    public IReadOnlyList<string> Services => _options.Services;

    public bool IsOnboarded(string service) => _options.Services.Contains(service, StringComparer.Ordinal);

    /// <summary>
    /// Filestore's own scratch space (temporary files of puts), beside the roots on the same file system so a rename
    /// into a root is atomic, and outside them so the drift watchers never see half-written files.
    /// </summary>
    public string WorkDirectory => Path.Combine(Path.GetFullPath(_options.DataDirectory), ".work");

    /// <summary>The absolute root of <paramref name="service"/> in <paramref name="env"/>.</summary>
    public string RootOf(string env, string service)
    {
        if (!Environments.IsKnown(env) || !IsOnboarded(service))
        {
            throw new ArgumentException($"No managed root for service '{service}' in '{env}'.");
        }

        return Path.Combine(Path.GetFullPath(_options.DataDirectory), env, service);
    }

    /// <summary>Resolves a caller's path inside the service's root; throws <see cref="PathRejectedException"/>.</summary>
    public ManagedPath Resolve(string env, string service, string? path) => ManagedPath.Resolve(RootOf(env, service), path);
}

/// <summary>Creates every managed root at start and, when it is empty, writes the sample files a rehearsal migrates.</summary>
internal sealed class RootPreparation(ManagedRoots roots, IOptions<ManagedRootOptions> options, ILogger<RootPreparation> logger) : IHostedService
{
    // What a service that wrote straight to disk typically leaves behind: a few folders, a few file types.
    private static readonly (string Path, string Content)[] Samples =
    [
        ("README.txt", "Files of {0} in {1}, written by the service itself before its cutover to Filestore.\n"),
        ("2026/10/summary.csv", "day,count\n2026-10-01,12\n2026-10-02,17\n"),
        ("2026/11/summary.csv", "day,count\n2026-11-01,9\n2026-11-02,21\n"),
        ("archive/2025-annual.json", "{{\"service\":\"{0}\",\"env\":\"{1}\",\"year\":2025}}\n"),
        ("tmp/.keep", ""),
    ];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var env in Environments.All)
        {
            foreach (var service in roots.Services)
            {
                var root = Directory.CreateDirectory(roots.RootOf(env, service)).FullName;
                if (options.Value.SeedSampleFiles && !Directory.EnumerateFileSystemEntries(root).Any())
                {
                    foreach (var (relative, content) in Samples)
                    {
                        var file = roots.Resolve(env, service, relative);
                        Directory.CreateDirectory(Path.GetDirectoryName(file.FullPath)!);
                        File.WriteAllText(file.FullPath, string.Format(System.Globalization.CultureInfo.InvariantCulture, content, service, env));
                    }

                    RootsLog.Seeded(logger, env, service, root, Samples.Length);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class RootsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Managed root of {Service} in {Env} was empty; wrote {Count} sample files into {Root}")]
    public static partial void Seeded(ILogger logger, string env, string service, string root, int count);
}
