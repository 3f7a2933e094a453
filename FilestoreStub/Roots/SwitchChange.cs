namespace FilestoreStub.Roots;

/// <summary>The body that turns a per-service switch (its watcher, its publishing) on or off.</summary>
public sealed record SwitchChange(bool? Enabled)
{
    /// <summary>The 400 for a body without <c>enabled</c>.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Missing() =>
        Problems.Invalid(new Dictionary<string, string[]> { ["enabled"] = ["enabled (true or false) is required."] });
}
