using System.Text.Json;

namespace FilestoreStub;

/// <summary>The kebab-case names of enum values, as <see cref="KebabCaseConverter{TEnum}"/> writes them, for Redis fields and messages.</summary>
public static class KebabCaseNames
{
    public static string ToKebabCase<TEnum>(this TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    public static TEnum ParseKebabCase<TEnum>(string name) where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Where(v => v.ToKebabCase() == name).Select(v => (TEnum?)v).FirstOrDefault()
        ?? throw new FormatException($"'{name}' is not a {typeof(TEnum).Name}.");
}
