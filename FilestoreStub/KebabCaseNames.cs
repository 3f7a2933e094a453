using System.Text.Json;

namespace FilestoreStub;

/// <summary>The kebab-case names of enum values, as <see cref="KebabCaseConverter{TEnum}"/> writes them, for Redis fields, labels and messages.</summary>
public static class KebabCaseNames
{
    public static string ToKebabCase<TEnum>(this TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Every value's name, for messages that list what is allowed.</summary>
    public static string All<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetValues<TEnum>().Select(v => v.ToKebabCase()));

    public static bool TryParseKebabCase<TEnum>(string? name, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (candidate.ToKebabCase() == name)
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static TEnum ParseKebabCase<TEnum>(string name) where TEnum : struct, Enum =>
        TryParseKebabCase<TEnum>(name, out var value) ? value : throw new FormatException($"'{name}' is not a {typeof(TEnum).Name}.");
}
