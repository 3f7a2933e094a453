using SloRules;

// Regenerates every profile's rule file and rule tests from dashboards/slo/slos.yml; --check only compares.
var check = args.Contains("--check");
if (args.Any(a => a != "--check"))
{
    Console.Error.WriteLine("usage: dotnet run --project dashboards/slo/SloRules [-- --check]");
    return 2;
}

try
{
    var root = Generator.FindRepositoryRoot(Environment.CurrentDirectory);
    var stale = new List<string>();
    foreach (var (path, content) in Generator.Outputs(root))
    {
        var file = Path.Combine(root, path);
        if (File.Exists(file) && File.ReadAllText(file) == content)
        {
            continue;
        }

        stale.Add(path);
        if (!check)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }
    }

    foreach (var path in stale)
    {
        Console.WriteLine(check ? $"stale: {path}" : $"wrote {path}");
    }

    return check && stale.Count > 0 ? 1 : 0;
}
catch (Exception e) when (e is InvalidDataException or FormatException or IOException or YamlDotNet.Core.YamlException)
{
    Console.Error.WriteLine($"SloRules: {e.Message}");
    return 2;
}
