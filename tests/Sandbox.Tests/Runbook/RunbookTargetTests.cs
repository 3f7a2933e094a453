using Runbook;
using Runbook.Targets;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Runbook;

/// <summary>How the runbook finds the sandbox: its address book, and whose token it acts with.</summary>
public sealed class RunbookTargetTests : IDisposable
{
    private const string AddressBook = """
        {
          "runtime": "executables",
          "resources": {
            "filestore": { "url": "http://127.0.0.1:5101", "operatorToken": "shared-operator-token" },
            "metastore": { "url": "http://127.0.0.1:5102" },
            "timestore": { "url": "http://127.0.0.1:5103" },
            "prometheus": { "url": "http://127.0.0.1:9090" },
            "redis": { "url": "redis://127.0.0.1:6379", "connectionString": "127.0.0.1:6379,password=secret" }
          }
        }
        """;

    private readonly TempDirectory _state = new("runbook-target");

    private static Func<string, string?> Variables(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(v => v.Name == name).Value;

    public void Dispose() => _state.Dispose();

    [Fact]
    public void Only_the_sandbox_may_run_drills_and_resets()
    {
        File.WriteAllText(Path.Combine(_state.Path, "endpoints.json"), AddressBook);
        var sandbox = RunbookTarget.FromSandbox(_state.Path, Variables());
        var real = RunbookTarget.FromAddresses(new Uri("https://sandbox"), null, null, null, null, _state.Path, Variables(("FILESTORE_TOKEN", "alice-token")));

        sandbox.RequireSandbox("A drill");
        var error = Assert.Throws<BadUsageException>(() => real.RequireSandbox("A drill"));
        Assert.Equal("A drill is for the sandbox only; sandbox is a real environment.", error.Message);
    }

    [Fact]
    public void A_real_environments_redis_password_comes_from_the_environment_never_the_command_line()
    {
        var onCommandLine = Assert.Throws<BadUsageException>(() => RunbookTarget.FromAddresses(
            new Uri("https://filestore.test"), null, null, null, "redis.test:6379,password=hunter2", _state.Path, Variables(("FILESTORE_TOKEN", "t"))));
        var fromEnvironment = RunbookTarget.FromAddresses(new Uri("https://filestore.test"), null, null, null, "redis.test:6379", _state.Path,
            Variables(("FILESTORE_TOKEN", "t"), (RunbookTarget.RedisPasswordVariable, "hunter2")));

        Assert.Contains(RunbookTarget.RedisPasswordVariable, onCommandLine.Message, StringComparison.Ordinal);
        Assert.Equal("redis.test:6379,password=hunter2", fromEnvironment.Redis);
        Assert.DoesNotContain("hunter2", fromEnvironment.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("alice", RunbookTarget.FromSandbox(WriteAddressBook(), Variables(("FILESTORE_TOKEN", "alice-token"))).ToString(), StringComparison.Ordinal);
    }

    private string WriteAddressBook()
    {
        File.WriteAllText(Path.Combine(_state.Path, "endpoints.json"), AddressBook);
        return _state.Path;
    }

    [Fact]
    public void A_state_directory_without_an_address_book_is_unreachable_and_names_the_file()
    {
        var error = Assert.Throws<UnreachableException>(() => RunbookTarget.FromSandbox(_state.Path, Variables()));

        Assert.Equal(RunbookExit.Unreachable, error.Exit);
        Assert.Contains(Path.Combine(_state.Path, "endpoints.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(RunbookTarget.SandboxVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_book_that_is_not_json_is_unreachable()
    {
        File.WriteAllText(Path.Combine(_state.Path, "endpoints.json"), "{ half a file");

        var error = Assert.Throws<UnreachableException>(() => RunbookTarget.FromSandbox(_state.Path, Variables()));

        Assert.Contains("restart the sandbox", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_address_book_gives_every_address_and_the_shared_operator_token_when_no_token_is_set()
    {
        File.WriteAllText(Path.Combine(_state.Path, "endpoints.json"), AddressBook);

        var target = RunbookTarget.FromSandbox(_state.Path, Variables());

        Assert.Equal("sandbox", target.Name);
        Assert.Equal(new Uri("http://127.0.0.1:5101"), target.Filestore);
        Assert.Equal(new Uri("http://127.0.0.1:5102"), target.ConsumerUrl("metastore"));
        Assert.Equal(new Uri("http://127.0.0.1:5103"), target.ConsumerUrl("timestore"));
        Assert.Equal(new Uri("http://127.0.0.1:9090"), target.Prometheus);
        Assert.Equal("127.0.0.1:6379,password=secret", target.Redis);
        Assert.Equal("shared-operator-token", target.OperatorToken);
        Assert.Null(target.ServiceToken);
        Assert.Equal(Path.Combine(_state.Path, "runbook"), target.RecordsDirectory);
    }

    [Fact]
    public void FILESTORE_TOKEN_wins_over_the_shared_token_of_the_address_book_so_an_operator_acts_under_their_own_name()
    {
        File.WriteAllText(Path.Combine(_state.Path, "endpoints.json"), AddressBook);

        var target = RunbookTarget.FromSandbox(_state.Path, Variables(
            (RunbookTarget.TokenVariable, "dana-named-token"), (RunbookTarget.ServiceTokenVariable, "billing-app-token")));

        Assert.Equal("dana-named-token", target.OperatorToken);
        Assert.Equal("billing-app-token", target.ServiceToken);
        // The consumers know only the token the AppHost gave them.
        Assert.Equal("shared-operator-token", target.ConsumerToken);
    }

    [Fact]
    public void An_empty_FILESTORE_TOKEN_falls_back_to_the_shared_token()
    {
        File.WriteAllText(Path.Combine(_state.Path, "endpoints.json"), AddressBook);

        var target = RunbookTarget.FromSandbox(_state.Path, Variables((RunbookTarget.TokenVariable, "")));

        Assert.Equal("shared-operator-token", target.OperatorToken);
    }
}
