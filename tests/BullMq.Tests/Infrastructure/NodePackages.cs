namespace BullMq.Tests.Infrastructure;

/// <summary>A folder of the repository whose npm packages a test runs, found above the test binaries once installed.</summary>
internal static class NodePackages
{
    /// <summary>
    /// The folder at <paramref name="path"/> (from the repository root) when <paramref name="package"/> is installed in
    /// it; otherwise fails saying "<paramref name="notInstalled"/> in &lt;folder&gt;" and how to install it.
    /// </summary>
    public static string Folder(string path, string package, string notInstalled)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, path);
            if (Directory.Exists(Path.Combine(candidate, "node_modules", package)))
            {
                return candidate;
            }

            if (Directory.Exists(candidate))
            {
                throw new InvalidOperationException($"{notInstalled} in {candidate}; run 'npm ci --prefix {candidate}' (tests/run.sh does).");
            }
        }

        throw new InvalidOperationException($"{path} not found above the test binaries.");
    }
}
