namespace FilestoreStub.Tests.Infrastructure;

/// <summary>A running stub, in-process (<see cref="FilestoreApp"/>) or as its own process (<see cref="StubProcess"/>).</summary>
public interface IFilestoreHost
{
    /// <summary>The folder holding every managed root.</summary>
    string DataDirectory { get; }

    /// <summary>A client presenting <paramref name="token"/> (<see cref="FilestoreApp.OperatorToken"/> for the operator), or no token when null.</summary>
    HttpClient ClientWith(string? token);
}
