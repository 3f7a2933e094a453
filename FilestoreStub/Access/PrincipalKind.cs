namespace FilestoreStub.Access;

/// <summary>Who calls Filestore: the operator (admin rights) or an onboarded service (commands, as policy allows).</summary>
public enum PrincipalKind
{
    Operator,
    Service,
}
