namespace FilestoreStub.Roots;

/// <summary>The managed roots: their settings, and their folders prepared at start.</summary>
public static class RootServices
{
    public static IHostApplicationBuilder AddManagedRoots(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<ManagedRootOptions>(ManagedRootOptions.SectionName);
        builder.Services.AddSingleton<ManagedRoots>();
        builder.Services.AddHostedService<RootPreparation>();
        return builder;
    }
}
