using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SloRules;

/// <summary>Prometheus durations (<c>1h30m</c>, <c>15s</c>, <c>3d</c>): read, scaled, written back.</summary>
public static partial class PromDuration
{
    private static readonly (string Unit, TimeSpan Length)[] Units =
    [
        ("w", TimeSpan.FromDays(7)), ("d", TimeSpan.FromDays(1)), ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)), ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    public static TimeSpan Parse(string text)
    {
        var parts = Part().Matches(text);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != text)
        {
            throw new FormatException($"'{text}' is not a Prometheus duration such as 5m or 1h30m.");
        }

        return parts.Aggregate(TimeSpan.Zero, (sum, part) =>
            sum + Units.Single(u => u.Unit == part.Groups["unit"].Value).Length * long.Parse(part.Groups["n"].Value, CultureInfo.InvariantCulture));
    }

    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A Prometheus duration must be positive.");
        }

        var text = new StringBuilder();
        var left = duration;
        // Weeks are left out on purpose: "36h" reads better as "1d12h" than a week count would for these windows.
        foreach (var (unit, length) in Units.Skip(1))
        {
            var count = left.Ticks / length.Ticks;
            if (count > 0)
            {
                text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                left -= length * count;
            }
        }

        return left == TimeSpan.Zero
            ? text.ToString()
            : throw new ArgumentException($"{duration} has less than a millisecond left over.", nameof(duration));
    }

    public static string Scale(string text, double factor) =>
        factor == 1 ? text : Format(TimeSpan.FromMilliseconds(Math.Round(Parse(text).TotalMilliseconds * factor)));

    /// <summary>Scales every range selector (<c>[5m]</c>) in a PromQL expression.</summary>
    public static string ScaleRanges(string promql, double factor) =>
        RangeSelector().Replace(promql, m => $"[{Scale(m.Groups["d"].Value, factor)}]");

    [GeneratedRegex("(?<n>[0-9]+)(?<unit>ms|[wdhms])")]
    private static partial Regex Part();

    [GeneratedRegex(@"\[(?<d>[0-9]+(?:ms|[wdhms])(?:[0-9]+(?:ms|[wdhms]))*)\]")]
    private static partial Regex RangeSelector();
}
