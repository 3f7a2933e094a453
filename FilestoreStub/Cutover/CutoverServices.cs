using FilestoreStub.Changes;

namespace FilestoreStub.Cutover;

/// <summary>The cutover feature's services; the modes are loaded before the stub takes requests.</summary>
public static class CutoverServices
{
    public static IHostApplicationBuilder AddCutover(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedSettings<CutoverOptions>(CutoverOptions.SectionName);
        builder.Services.AddSingleton<CutoverStore>();
        builder.Services.AddSingleton<IServiceModes>(sp => sp.GetRequiredService<CutoverStore>());
        builder.Services.LoadAtStart(sp => sp.GetRequiredService<CutoverStore>().LoadAsync());
        builder.Services.AddSingleton<ShadowLedger>();
        builder.Services.AddSingleton<IShadowRecorder>(sp => sp.GetRequiredService<ShadowLedger>());
        builder.Services.AddSingleton<IDriftObserver, ShadowDriftComparison>();
        builder.Services.AddSingleton<CutoverGates>();
        builder.Services.AddSingleton<CutoverService>();
        return builder;
    }
}
