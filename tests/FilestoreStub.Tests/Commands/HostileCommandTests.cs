using System.Net;
using System.Text.Json;
using FilestoreStub.Tests.Infrastructure;
using FilestoreStub.Tests.Paths;

namespace FilestoreStub.Tests.Commands;

/// <summary>The hostile path corpus through every command of the HTTP API, in managed mode where commands write.</summary>
[Collection(RedisCollection.Name)]
public sealed class HostileCommandTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    // Every command, with the hostile path in each place a path goes.
    private static readonly (string Name, Func<string, string> Body)[] Commands =
    [
        ("put", p => $$"""{"command":"put","path":{{Literal(p)}},"text":"overwritten"}"""),
        ("mkdir", p => $$"""{"command":"mkdir","path":{{Literal(p)}}}"""),
        ("delete", p => $$"""{"command":"delete","path":{{Literal(p)}}}"""),
        ("move from", p => $$"""{"command":"move","path":{{Literal(p)}},"to":"moved.txt"}"""),
        ("move to", p => $$"""{"command":"move","path":"README.txt","to":{{Literal(p)}}}"""),
    ];

    // A JSON string with every non-ASCII or control character escaped, so a lone surrogate reaches the stub as sent
    // (a serializer would replace it with U+FFFD on the way).
    private static string Literal(string raw) =>
        "\"" + string.Concat(raw.Select(c => c is < ' ' or > '~' or '"' or '\\' ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";

    // The canary beside the data folder (in the shared temp folder): named for this test alone, so concurrent runs,
    // which write and delete their own, never change what this one compares.
    private string Outside => field ??= Path.Combine(Path.GetDirectoryName(App.DataDirectory)!, $"secret-{Guid.NewGuid():N}.txt");

    // Everything under the data folder and this test's canary beside it, with contents; links are listed, not followed.
    private SortedDictionary<string, string> Snapshot()
    {
        return new SortedDictionary<string, string>(
            Directory.EnumerateFileSystemEntries(App.DataDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}.filestore", StringComparison.Ordinal))
                .Concat(File.Exists(Outside) ? [Outside] : [])
                .ToDictionary(p => p, p => File.Exists(p) ? File.ReadAllText(p) : "<dir>"),
            StringComparer.Ordinal);
    }

    [Fact]
    public async Task Every_hostile_path_is_refused_by_every_command_with_400_and_nothing_changes()
    {
        var client = await Steps.IntoManagedAsync();
        File.WriteAllText(Path.Combine(App.DataDirectory, "staging", "secret.txt"), "one level up");
        File.WriteAllText(Path.Combine(App.DataDirectory, "secret.txt"), "two levels up");
        var outside = Outside;
        File.WriteAllText(outside, "outside every root");
        try
        {
            var before = Snapshot();
            var failures = new List<string>();
            var cases = 0;

            foreach (var row in HostilePathTests.Corpus)
            {
                var (raw, reason) = ((string)row[0], (string)row[1]);
                foreach (var (name, body) in Commands)
                {
                    cases++;
                    using var response = await Steps.CommandAsync(client, body(raw));
                    var text = await response.Content.ReadAsStringAsync();
                    var problem = JsonDocument.Parse(text).RootElement;
                    var type = problem.TryGetProperty("type", out var t) ? t.GetString() : null;
                    // A lone surrogate cannot even be read from JSON: refused as malformed before it is a path.
                    var expected = response.StatusCode == HttpStatusCode.BadRequest
                        && (type == "https://filestore.sandbox/problems/invalid-path" && problem.TryGetProperty("reason", out var r) && r.GetString() == reason
                            || reason == "invalid-unicode" && type == "https://filestore.sandbox/problems/malformed-request");
                    if (!expected)
                    {
                        failures.Add($"{name} '{Printable(raw)}': {(int)response.StatusCode} {text}");
                    }
                }
            }

            Assert.True(cases >= 200, $"only {cases} cases");
            Assert.True(failures.Count == 0, string.Join('\n', failures));
            Assert.Equal(before, Snapshot());
            Assert.Equal("outside every root", File.ReadAllText(outside));
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Theory]
    [InlineData("put", """{"command":"put","path":"escape/planted.txt","text":"x"}""")]
    [InlineData("mkdir", """{"command":"mkdir","path":"escape/sub"}""")]
    [InlineData("delete", """{"command":"delete","path":"escape/victim.txt"}""")]
    [InlineData("move from", """{"command":"move","path":"escape/victim.txt","to":"stolen.txt"}""")]
    [InlineData("move to", """{"command":"move","path":"README.txt","to":"escape/README.txt"}""")]
    public async Task A_symlink_in_the_root_that_leads_outside_is_refused_by_every_command(string name, string body)
    {
        var client = await Steps.IntoManagedAsync();
        var target = Directory.CreateTempSubdirectory("filestore-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(target, "victim.txt"), "outside");
            Directory.CreateSymbolicLink(Path.Combine(Steps.Root, "escape"), target);
            var before = Snapshot();

            using var response = await Steps.CommandAsync(client, body);

            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, name);
            Assert.Equal("symlink", problem.GetProperty("reason").GetString());
            Assert.Equal(["victim.txt"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
            Assert.Equal("outside", File.ReadAllText(Path.Combine(target, "victim.txt")));
            Assert.Equal(before, Snapshot());
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    private static string Printable(string raw) => string.Concat(raw.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}
