namespace FilestoreStub.Access;

public sealed record Principal(string Name, PrincipalKind Kind)
{
    /// <summary>The principal the sandbox bootstraps from <c>Filestore:OperatorToken</c>.</summary>
    public const string OperatorName = "operator";

    public bool IsOperator => Kind == PrincipalKind.Operator;
}
