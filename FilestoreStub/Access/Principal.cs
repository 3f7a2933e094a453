namespace FilestoreStub.Access;

/// <summary>Who calls Filestore: the operator (admin rights) or an onboarded service (commands, as policy allows).</summary>
public enum PrincipalKind
{
    Operator,
    Service,
}

public sealed record Principal(string Name, PrincipalKind Kind)
{
    /// <summary>The principal the sandbox bootstraps from <c>Filestore:OperatorToken</c>.</summary>
    public const string OperatorName = "operator";

    public bool IsOperator => Kind == PrincipalKind.Operator;
}
