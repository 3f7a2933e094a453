using Microsoft.Extensions.Options;

namespace FilestoreStub;

/// <summary>How every feature reads its settings: bound from its section, validated by its annotations, at start.</summary>
public static class Settings
{
    public static OptionsBuilder<T> AddValidatedSettings<T>(this IHostApplicationBuilder builder, string section)
        where T : class =>
        builder.Services.AddOptions<T>()
            .BindConfiguration(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
