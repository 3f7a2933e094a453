using System.Text.Json;
using System.Text.Json.Serialization;

namespace FilestoreStub;

/// <summary>
/// Writes and reads an enum by its kebab-case name (<c>NotAllowed</c> is <c>not-allowed</c>), so the wire keeps the
/// names operators already know while the code switches over a closed set.
/// </summary>
public sealed class KebabCaseConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
