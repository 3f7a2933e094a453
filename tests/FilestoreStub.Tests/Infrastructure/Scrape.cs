using System.Globalization;
using System.Text.RegularExpressions;

namespace FilestoreStub.Tests.Infrastructure;

/// <summary>Reads samples from the stub's <c>/metrics</c>, as Prometheus would scrape them.</summary>
public static partial class Scrape
{
    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static async Task<double> ValueAsync(FilestoreApp app, string metric, params (string Name, string Value)[] labels)
    {
        var text = await app.CreateClient().GetStringAsync("/metrics");
        var total = 0.0;
        foreach (Match sample in Sample().Matches(text))
        {
            if (sample.Groups["name"].Value == metric && labels.All(l => sample.Groups["labels"].Value.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                total += double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    /// <summary>Waits until the metric reaches at least <paramref name="atLeast"/> (exporters collect on scrape, gauges on their own schedule).</summary>
    public static Task<double> UntilAsync(FilestoreApp app, string metric, double atLeast, params (string Name, string Value)[] labels) =>
        Eventually.Until(() => ValueAsync(app, metric, labels), v => v >= atLeast, what: $"{metric} >= {atLeast}");

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
