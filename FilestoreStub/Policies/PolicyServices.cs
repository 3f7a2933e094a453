namespace FilestoreStub.Policies;

/// <summary>The policy store.</summary>
public static class PolicyServices
{
    public static IHostApplicationBuilder AddPolicies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PolicyStore>();
        return builder;
    }
}
