using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SloRules;

/// <summary>
/// Makes a profile's <c>promtool test rules</c> file from the standard one by scaling its clock: intervals, evaluation
/// times, range selectors and window labels shrink by the profile's factor, so every case must come out the same
/// against the scaled rules. Values are left alone; the rules' ratios and thresholds do not depend on the clock.
/// </summary>
public static partial class TestScaler
{
    private static readonly string[] DurationKeys = ["evaluation_interval", "interval", "eval_time"];

    public static string Scale(string standardTests, Profile profile, string standardTestsPath)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(standardTests));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        var testDirectory = Path.GetDirectoryName(profile.Tests)!;
        root.Children[new YamlScalarNode("rule_files")] = new YamlSequenceNode(
            new YamlScalarNode(Path.GetRelativePath(testDirectory, profile.Output).Replace('\\', '/')));
        Walk(root, profile.Scale);

        var text = new StringWriter { NewLine = "\n" };
        yaml.Save(text, assignAnchors: false);
        var header = string.Create(CultureInfo.InvariantCulture,
            $"# Generated from {standardTestsPath} for the \"{profile.Name}\" profile (every duration x{profile.Scale}).\n")
            + "# Do not edit: change the standard tests and run `dotnet run --project dashboards/slo/SloRules`.\n";
        return header + text.ToString().TrimEnd('.', '\n') + "\n";
    }

    private static void Walk(YamlNode node, double scale)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children.ToList())
                {
                    var name = ((YamlScalarNode)key).Value;
                    if (value is YamlScalarNode scalar && scalar.Value is { } text)
                    {
                        mapping.Children[key] = new YamlScalarNode(name switch
                        {
                            _ when DurationKeys.Contains(name) => PromDuration.Scale(text, scale),
                            "expr" => PromDuration.ScaleRanges(text, scale),
                            "labels" or "series" => WindowLabel().Replace(text, m => $"window=\"{PromDuration.Scale(m.Groups["d"].Value, scale)}\""),
                            _ => text,
                        }) { Style = scalar.Style };
                    }
                    else
                    {
                        Walk(value, scale);
                    }
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    Walk(item, scale);
                }

                break;
        }
    }

    [GeneratedRegex("window=\"(?<d>[0-9a-z]+)\"")]
    private static partial Regex WindowLabel();
}
