namespace FilestoreStub.Policies;

/// <summary>One grant: <see cref="Principal"/> may run <see cref="Commands"/> on paths of <see cref="Service"/> under <see cref="Prefixes"/>.</summary>
public sealed record PolicyRule(string Principal, string Service, IReadOnlyList<string> Commands, IReadOnlyList<string> Prefixes)
{
    /// <summary>The prefix that grants the whole managed root.</summary>
    public const string WholeRoot = "*";

    public bool Allows(string principal, string service, string command, string relativePath) =>
        Principal == principal && Service == service && Commands.Contains(command)
        && Prefixes.Any(prefix => prefix == WholeRoot || relativePath == prefix || relativePath.StartsWith(prefix + "/", StringComparison.Ordinal));
}
