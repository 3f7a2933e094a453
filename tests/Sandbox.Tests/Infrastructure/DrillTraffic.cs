using System.Net.Http.Json;
using System.Text.Json;
using static Sandbox.Tests.Infrastructure.FilestoreCalls;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// What a failure drill needs running: staging/reports cut over to managed through the API (whatever state earlier
/// tests left it in), one drift change seen by its watcher, and put commands at a steady rate until disposed.
/// </summary>
public sealed class DrillTraffic : IAsyncDisposable
{
    public const string Env = "staging";
    public const string Service = "reports";
    private const string Route = $"/envs/{Env}/services/{Service}";
    private const string Principal = "reports-drill";
    private static readonly string[] PutOnly = ["put"];
    private static readonly string[] DrillFolder = ["drill"];

    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _client;
    private readonly Task _loop;
    private int _succeeded;
    private int _failed;

    private DrillTraffic(HttpClient client, int perSecond)
    {
        _client = client;
        _loop = Task.Run(() => SendAsync(perSecond));
    }

    public int Succeeded => Volatile.Read(ref _succeeded);

    public int Failed => Volatile.Read(ref _failed);

    public static async Task<DrillTraffic> StartAsync(SandboxFixture sandbox, int perSecond = 10)
    {
        var operatorClient = await sandbox.FilestoreOperatorAsync();
        await AllowAsync(operatorClient);
        var token = (await OkAsync(operatorClient.PostAsJsonAsync("/access/tokens", new { principal = Principal }))).GetProperty("token").GetString();
        var client = sandbox.HttpClientFor("filestore");
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        await OkAsync(operatorClient.PutAsJsonAsync($"{Route}/publishing", new { enabled = true }));
        await OkAsync(operatorClient.PutAsJsonAsync($"{Route}/watcher", new { enabled = true }));
        var mode = (await OkAsync(operatorClient.GetAsync($"{Route}/cutover"))).GetProperty("mode").GetString();
        if (mode == "manual")
        {
            await OkAsync(operatorClient.PostAsync($"{Route}/seed", null));
            await OkAsync(operatorClient.PostAsJsonAsync($"{Route}/cutover", new { to = "shadow" }));
            mode = "shadow";
        }

        if (mode == "shadow")
        {
            for (var i = 0; i < 25; i++)
            {
                await OkAsync(CommandAsync(client, Route, new { command = "put", path = $"drill/shadow-{i}.txt", text = "planned" }));
            }

            await OkAsync(operatorClient.PostAsJsonAsync($"{Route}/cutover/approval", new { note = "drill traffic" }));
            await OkAsync(operatorClient.PostAsJsonAsync($"{Route}/cutover", new { to = "managed" }));
        }

        // A write that bypasses Filestore, so the drift panels and counters have something to show.
        var root = Path.Combine(sandbox.StateDirectory, "filestore", Env, Service);
        await File.WriteAllTextAsync(Path.Combine(root, $"by-hand-{Guid.NewGuid():N}.txt"), "written past Filestore");
        return new DrillTraffic(client, perSecond);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _client.Dispose();
        _stop.Dispose();
    }

    // Adds the drill's rule to the environment's policy and keeps the rules other tests put there.
    private static async Task AllowAsync(HttpClient operatorClient)
    {
        var current = await OkAsync(operatorClient.GetAsync($"/envs/{Env}/policy"));
        var rules = current.GetProperty("rules").EnumerateArray().Select(r => (object)r).ToList();
        if (rules.Cast<JsonElement>().Any(r => r.GetProperty("principal").GetString() == Principal))
        {
            return;
        }

        rules.Add(new { principal = Principal, service = Service, commands = PutOnly, prefixes = DrillFolder });
        await OkAsync(operatorClient.PutAsJsonAsync($"/envs/{Env}/policy", new { rules }));
    }

    private async Task SendAsync(int perSecond)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        var sent = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var body = new { command = "put", path = $"drill/file-{sent++ % 50}.txt", text = $"drill {sent}" };
                try
                {
                    using var response = await CommandAsync(_client, Route, body);
                    Interlocked.Increment(ref response.IsSuccessStatusCode ? ref _succeeded : ref _failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref _failed);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the drill is over.
        }
    }
}
