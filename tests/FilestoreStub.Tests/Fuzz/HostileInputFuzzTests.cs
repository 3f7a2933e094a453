using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Fuzz;

/// <summary>
/// Generated hostile input, thousands of requests a run, against the command, policy and token endpoints of a stub on a
/// real Redis and real files: every answer is a 2xx or a well-formed 4xx problem (never a 5xx), the stub keeps
/// answering, and no file outside the service's managed root changes.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HostileInputFuzzTests(RedisServer redis) : FilestoreTest(redis)
{
    private const int Requests = 2_000;
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    // Pieces that matter to paths, mixed with ordinary ones (letters of other scripts, spaces, dots inside names).
    private static readonly Gen<string> Piece = Gen.OneOf(
        Gen.OneOf("..", ".", "", "~", ".work", ".filestore", "..\\..", "%2e%2e", "/etc/passwd", "C:\\Windows", "\0", "a\nb", "con", "\u202Eevil",
            "\uFF0E\uFF0E", "sibling", "outside.txt", new string('x', 300)),
        Gen.String[Gen.Char["abc./\\%:~\0é"], 0, 12],
        Gen.String[1, 8]);

    private static readonly Gen<string> Ordinary = Gen.String[Gen.Char["abcxyz0189-_. é日"], 1, 12];

    private static readonly Gen<string> HostilePath = Gen.Select(Piece.Array[1, 5], Gen.OneOf("/", "\\", "//"), (parts, separator) => string.Join(separator, parts));

    private static readonly Gen<string> OrdinaryPath = Ordinary.Array[1, 4].Select(parts => string.Join('/', parts));

    // About half the paths are plausible, so commands also get through and change files; the rest attack.
    private static readonly Gen<string> AnyPath = Gen.Frequency((1, OrdinaryPath), (1, HostilePath));

    private static readonly Gen<string> CommandName = Gen.Frequency((9, Gen.OneOf("put", "mkdir", "move", "delete")), (1, Gen.OneOf(Gen.OneOf("PUT", "rm", ""), Gen.String[0, 6])));

    // A command body: mostly the fields its command needs (sometimes one too many or too few) with generated values,
    // sometimes a wrong type, an unknown field, or not JSON at all.
    private static readonly Gen<string> CommandBody = Gen.Frequency(
        (8, Gen.Select(CommandName, AnyPath, AnyPath, Gen.String[0, 40], Gen.Int[0, 9], (command, path, to, text, shape) =>
        {
            var body = new JsonObject { ["command"] = command, ["path"] = path };
            if (command == "move" ? shape != 0 : shape == 9)
            {
                body["to"] = to;
            }

            if (command == "put" ? shape != 1 : shape == 8)
            {
                // As content it is rarely valid base64, which is the point.
                body[shape is 2 or 3 ? "content" : "text"] = shape == 3 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) : text;
            }

            return body.ToJsonString();
        })),
        (1, Gen.OneOf("""{"command":"put","path":7}""", """{"command":["put"],"path":"a"}""", """{"command":"put","path":"a","text":"x","extra":1}""",
            "null", "[]", "{", "", "\"put\"", """{"command":"put","path":"a","content":"not base64!"}""")),
        (1, Gen.String[0, 60]));

    // Every file outside the managed root, with its content: none of them may change.
    private Dictionary<string, string> OutsideTheRoot()
    {
        var root = Steps.Root + Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(App.DataDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(f => !f.StartsWith(root, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}.work{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllText);
    }

    // Both kinds of answer must occur, or the generators test nothing: some hostile input is still a valid command.
    private int _accepted;
    private int _refused;

    private async Task AssertWellFormedAsync(HttpResponseMessage response, string sent)
    {
        var status = (int)response.StatusCode;
        Interlocked.Increment(ref status < 300 ? ref _accepted : ref _refused);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status is >= 200 and < 500, $"{status} for {sent}: {text}");
        if (status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var type = JsonDocument.Parse(text).RootElement.GetProperty("type").GetString();
            Assert.True(type?.StartsWith("https://filestore.sandbox/problems/", StringComparison.Ordinal), $"{status} for {sent} has type {type}");
        }
    }

    [Fact]
    public async Task Thousands_of_hostile_commands_get_a_2xx_or_a_problem_and_nothing_outside_the_root_changes()
    {
        var client = await Steps.IntoManagedAsync();
        var sibling = Path.Combine(App.DataDirectory, "staging", "sibling");
        Directory.CreateDirectory(sibling);
        File.WriteAllText(Path.Combine(sibling, "outside.txt"), "must not change");
        File.WriteAllText(Path.Combine(App.DataDirectory, "outside.txt"), "must not change either");
        var before = OutsideTheRoot();

        await CommandBody.SampleAsync(async body =>
        {
            using var response = await Steps.CommandAsync(client, body);
            await AssertWellFormedAsync(response, body);
        }, iter: Requests, threads: 4);

        Assert.Equal(before, OutsideTheRoot());
        Assert.True(_accepted > 50 && _refused > 50, $"{_accepted} accepted, {_refused} refused: the generators miss one side");
        using var alive = await client.GetAsync("/access/whoami");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    private static readonly Gen<string> PrincipalName = Gen.Frequency(
        (3, Gen.Select(Gen.Char['a', 'z'], Gen.String[Gen.Char["abcz09-"], 1, 20], (first, rest) => first + rest)),
        (1, Gen.OneOf(Gen.OneOf("", "-x", "Billing", "a", "billing\n", "operator", new string('a', 70)), Gen.String[0, 20])));

    private static readonly Gen<string> PolicyBody = Gen.Frequency(
        (6, Gen.Select(PrincipalName, Gen.OneOf("billing", "reports", "nope", ""), CommandName.Array[0, 5],
            Gen.Frequency((2, Gen.Const("*")), (3, AnyPath)).Array[0, 4], (principal, service, commands, prefixes) =>
            new JsonObject
            {
                ["rules"] = new JsonArray(new JsonObject
                {
                    ["principal"] = principal, ["service"] = service,
                    ["commands"] = new JsonArray(commands.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()),
                    ["prefixes"] = new JsonArray(prefixes.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
                }),
            }.ToJsonString())),
        (1, Gen.OneOf("""{"rules":null}""", """{"rules":[null]}""", """{"rules":[{}]}""", """{"rules":"all"}""", """{"expectedVersion":-1,"rules":[]}""", "{", "")),
        (1, Gen.String[0, 60]));

    private static readonly Gen<string> TokenBody = Gen.Frequency(
        (6, Gen.Select(PrincipalName, Gen.OneOf<string?>("service", "service", "operator", "root", "", null),
            Gen.Frequency((3, Gen.Long[60, 86_400].Nullable()), (1, Gen.Long[-10, 10_000_000_000].Nullable())), (principal, kind, lifetime) =>
            {
                var body = new JsonObject { ["principal"] = principal, ["kind"] = kind };
                if (lifetime is not null)
                {
                    body["lifetimeSeconds"] = lifetime;
                }

                return body.ToJsonString();
            })),
        (1, Gen.OneOf("""{"principal":7}""", """{"principal":"x","lifetimeSeconds":"soon"}""", "[]", "{", "")),
        (1, Gen.String[0, 60]));

    [Fact]
    public async Task Thousands_of_hostile_policies_and_token_requests_get_a_2xx_or_a_problem()
    {
        var sent = 0;
        async Task SendAllAsync(Gen<string> bodies, HttpMethod method, string route) =>
            await bodies.SampleAsync(async body =>
            {
                using var request = new HttpRequestMessage(method, route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                using var response = await Steps.Operator.SendAsync(request);
                await AssertWellFormedAsync(response, body);
                Interlocked.Increment(ref sent);
            }, iter: Requests / 2, threads: 4);

        await SendAllAsync(PolicyBody, HttpMethod.Put, "/envs/staging/policy");
        await SendAllAsync(TokenBody, HttpMethod.Post, "/access/tokens");

        Assert.Equal(Requests, sent);
        Assert.True(_accepted > 50 && _refused > 50, $"{_accepted} accepted, {_refused} refused: the generators miss one side");
        using var policy = await Steps.Operator.GetAsync("/envs/staging/policy");
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
    }
}
