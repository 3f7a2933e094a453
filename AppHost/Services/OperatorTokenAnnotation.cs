namespace Sandbox.AppHost;

/// <summary>
/// The operator token of a Filestore resource (a generated secret parameter), carried on the resource itself so the
/// dashboard commands and the address book get it from the resource they talk to.
/// </summary>
public sealed class OperatorTokenAnnotation(ParameterResource token) : IResourceAnnotation
{
    public ParameterResource Token { get; } = token;
}
