namespace FilestoreStub.Access;

/// <summary>How a presented token was judged.</summary>
public enum TokenVerdict
{
    Valid,
    Invalid,
    Expired,
    Revoked,
}
