namespace FilestoreStub.Faults;

/// <summary>The drill faults: their store (a running drill survives a restart) and the drift storm's writer.</summary>
public static class FaultServices
{
    public static IHostApplicationBuilder AddFaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FaultStore>();
        builder.Services.LoadAtStart(sp => sp.GetRequiredService<FaultStore>().LoadAsync());
        builder.Services.AddHostedService<DriftStormWriter>();
        return builder;
    }
}
