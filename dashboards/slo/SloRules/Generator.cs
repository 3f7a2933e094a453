namespace SloRules;

/// <summary>Every file produced from the SLO source, as (repository-relative path, content).</summary>
public static class Generator
{
    public static IEnumerable<(string Path, string Content)> Outputs(string repositoryRoot)
    {
        var catalog = SloCatalog.Load(repositoryRoot);
        var standard = catalog.Profiles.FirstOrDefault(p => p.Scale == 1)
            ?? throw new InvalidDataException($"{SloCatalog.SourcePath}: one profile must have scale 1; its tests are the ones written by hand.");
        var standardTests = File.ReadAllText(Path.Combine(repositoryRoot, standard.Tests));

        foreach (var profile in catalog.Profiles)
        {
            yield return (profile.Output, new RuleWriter(catalog, profile).Render());
            if (profile != standard)
            {
                yield return (profile.Tests, TestScaler.Scale(standardTests, profile, standard.Tests));
            }
        }
    }

    public static string FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sandbox.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidDataException($"No Sandbox.sln in {start} or above; run this from inside the repository.");
    }
}
