// The checks of tests/containers-smoke.sh against a sandbox running in containers mode, as a .NET file-based app
// (no jq or python on a developer laptop is assumed). Not yet run against a real container engine: see the script.
//
//   dotnet run tests/containers-smoke.cs -- check <state dir>   every check against the running sandbox
//   dotnet run tests/containers-smoke.cs -- queries [folder]    the dashboards' panel queries as they would be sent

using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

var repository = FindRepository(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Environment.CurrentDirectory);
var dashboardsFolder = Path.Combine(repository, "dashboards", "grafana", "dashboards");
var datasourceUid = DashboardQueries.ProvisionedDatasourceUid(Path.Combine(repository, "dashboards", "grafana", "provisioning", "datasources"));

switch (args)
{
    case ["queries", .. var folder] when folder.Length <= 1:
        foreach (var file in Directory.GetFiles(folder is [var other] ? other : dashboardsFolder, "*.json").Order(StringComparer.Ordinal))
        {
            foreach (var query in DashboardQueries.Of(JsonNode.Parse(File.ReadAllText(file))!, datasourceUid))
            {
                Console.WriteLine($"{Path.GetFileName(file)} | {query.Panel} | {query.DatasourceUid} | {query.Expr}");
            }
        }

        return 0;
    case ["check", var stateDirectory]:
        var checks = new Checks();
        await checks.RunAsync(stateDirectory, dashboardsFolder, datasourceUid);
        Console.WriteLine(checks.Failures == 0 ? "smoke: every check passed" : $"smoke: {checks.Failures} check(s) failed");
        return checks.Failures == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: dotnet run tests/containers-smoke.cs -- check <state dir> | queries [dashboards folder]");
        return 2;
}

static string FindRepository(string start)
{
    for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "Sandbox.sln")))
        {
            return folder.FullName;
        }
    }

    throw new InvalidOperationException($"no Sandbox.sln above {start}");
}

internal static class DashboardQueries
{
    // Dashboards may name the datasource by its fixed uid or through a datasource variable; either way it is the one
    // Prometheus datasource the sandbox provisions.
    public static string ProvisionedDatasourceUid(string folder) =>
        Directory.GetFiles(folder, "*.yml")
            .Select(file => Regex.Match(File.ReadAllText(file), @"^\s*uid:\s*(\S+)\s*$", RegexOptions.Multiline))
            .Single(match => match.Success).Groups[1].Value;

    // Every Prometheus query of a dashboard (rows' nested panels included) with its variables replaced by the values
    // "All" would give: a variable's allValue, the provisioned datasource, and 1m for Grafana's intervals.
    public static IEnumerable<PanelQuery> Of(JsonNode dashboard, string datasourceUid)
    {
        var values = new Dictionary<string, string> { ["__rate_interval"] = "1m", ["__interval"] = "1m", ["__range"] = "1h" };
        foreach (var variable in dashboard["templating"]?["list"]?.AsArray() ?? [])
        {
            var name = (string)variable!["name"]!;
            values[name] = (string?)variable["type"] == "datasource" ? datasourceUid
                : (bool?)variable["includeAll"] == true ? (string?)variable["allValue"] ?? ".*"
                : (string?)variable["current"]?["value"] ?? throw new InvalidOperationException($"variable {name} has no value");
        }

        foreach (var panel in Panels(dashboard["panels"]?.AsArray()))
        {
            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                if ((string?)target!["expr"] is not { Length: > 0 } expr)
                {
                    continue;
                }

                var datasource = Expand(DatasourceOf(target["datasource"] ?? panel["datasource"]) ?? datasourceUid, values);
                yield return new PanelQuery((string?)panel["title"] ?? "(untitled)", datasource, Expand(expr, values));
            }
        }

        static IEnumerable<JsonNode> Panels(JsonArray? panels)
        {
            foreach (var panel in panels ?? [])
            {
                yield return panel!;
                foreach (var nested in Panels(panel!["panels"]?.AsArray()))
                {
                    yield return nested;
                }
            }
        }

        static string? DatasourceOf(JsonNode? datasource) => datasource switch
        {
            JsonObject reference => (string?)reference["uid"],
            JsonValue uidOrVariable => (string?)uidOrVariable,
            _ => null,
        };

        // $name, ${name} and ${name:format}; a variable the dashboard does not define fails the query rather than guess.
        static string Expand(string text, Dictionary<string, string> values) =>
            Regex.Replace(text, @"\$\{(\w+)(?::\w+)?\}|\$(\w+)", match =>
            {
                var name = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                return values.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"unknown variable ${name} in {text}");
            });
    }
}

internal sealed record PanelQuery(string Panel, string DatasourceUid, string Expr);

internal sealed class Checks
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);
    private static readonly string[] Resources = ["filestore", "grafana", "metastore", "prometheus", "queue-board", "redis", "timestore"];
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public int Failures { get; private set; }

    public async Task RunAsync(string stateDirectory, string dashboardsFolder, string datasourceUid)
    {
        var book = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(stateDirectory, "endpoints.json")))!;
        Report((string?)book["runtime"] == "containers", $"runtime is {book["runtime"]}");
        var resources = book["resources"]!.AsObject();
        foreach (var name in Resources)
        {
            var resource = resources[name];
            var healthy = resource is not null && resource["skipped"] is null && resource["url"] is not null;
            Report(healthy, healthy ? $"{name} healthy at {resource!["url"]}" : $"{name} not in the sandbox: {resource?["skipped"] ?? "missing"}");
        }

        // Every dashboard is listed with its Prometheus views and, in this mode, its Grafana address.
        var listed = book["dashboards"]?.AsObject() ?? [];
        var dashboards = Directory.GetFiles(dashboardsFolder, "*.json").Length;
        var complete = listed.Count(d => d.Value!["prometheus"]!.AsArray().Count > 0 && d.Value["grafana"] is not null);
        Report(complete == dashboards, $"{complete} of {dashboards} dashboards listed in endpoints.json with their views and Grafana address");

        if (Failures > 0)
        {
            return;
        }

        await CheckRedisAsync((string)resources["redis"]!["connectionString"]!);
        await CheckPrometheusTargetsAsync(((string)resources["prometheus"]!["url"]!).TrimEnd('/'));
        var grafana = ((string)resources["grafana"]!["url"]!).TrimEnd('/');
        var uids = Directory.GetFiles(dashboardsFolder, "*.json")
            .Select(file => (string)JsonNode.Parse(File.ReadAllText(file))!["uid"]!).Order(StringComparer.Ordinal).ToList();
        await CheckGrafanaSearchAsync(grafana, uids);
        foreach (var uid in uids)
        {
            await CheckPanelQueriesAsync(grafana, uid, datasourceUid);
        }
    }

    private async Task CheckRedisAsync(string connectionString)
    {
        // Aspire's Redis connection string: host:port,password=...
        var parts = connectionString.Split(',');
        var endpoint = parts[0].Split(':');
        var password = parts.Single(p => p.StartsWith("password=", StringComparison.Ordinal))["password=".Length..];
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint[0], int.Parse(endpoint[1], CultureInfo.InvariantCulture));
        var redis = new Resp(tcp.GetStream());
        Report(await redis.CallAsync("AUTH", password) is "OK", "redis accepts the password from the connection string");
        foreach (var (setting, expected) in new[] { ("appendonly", "yes"), ("maxmemory-policy", "noeviction") })
        {
            var reply = await redis.CallAsync("CONFIG", "GET", setting) as List<object?>;
            var actual = reply is [_, string value] ? value : "(no answer)";
            Report(actual == expected, $"redis {setting} = {actual} (want {expected})");
        }
    }

    private async Task CheckPrometheusTargetsAsync(string prometheus)
    {
        // A target is "unknown" until its first scrape; give every one a few scrape intervals.
        var down = await UntilAsync(async () =>
        {
            var targets = (await GetJsonAsync($"{prometheus}/api/v1/targets"))["data"]!["activeTargets"]!.AsArray();
            return targets.Count == 0
                ? ["(no targets)"]
                : targets.Where(t => (string?)t!["health"] != "up").Select(t => $"{t!["labels"]!["job"]} {t["health"]} {t["lastError"]}").ToList();
        });
        Report(down.Count == 0, down.Count == 0 ? "prometheus: every target up" : $"prometheus targets not up: {string.Join("; ", down)}");
    }

    private async Task CheckGrafanaSearchAsync(string grafana, List<string> uids)
    {
        // The file provider loads the dashboards a few seconds after Grafana answers.
        var missing = await UntilAsync(async () =>
        {
            var found = (await GetJsonAsync($"{grafana}/api/search?type=dash-db")).AsArray().Select(d => (string?)d!["uid"]).ToHashSet();
            return uids.Where(uid => !found.Contains(uid)).ToList();
        });
        Report(missing.Count == 0, $"grafana lists the {uids.Count} dashboards" + (missing.Count == 0 ? "" : $"; missing: {string.Join(", ", missing)}"));
    }

    private async Task CheckPanelQueriesAsync(string grafana, string uid, string datasourceUid)
    {
        var dashboard = (await GetJsonAsync($"{grafana}/api/dashboards/uid/{uid}"))["dashboard"]!;
        List<PanelQuery> queries;
        try
        {
            queries = [.. DashboardQueries.Of(dashboard, datasourceUid)];
        }
        catch (InvalidOperationException e)
        {
            Report(false, $"dashboard {uid}: {e.Message}");
            return;
        }

        var failed = new List<string>();
        var count = 0;
        foreach (var query in queries)
        {
            count++;
            var url = $"{grafana}/api/datasources/proxy/uid/{query.DatasourceUid}/api/v1/query?query={Uri.EscapeDataString(query.Expr)}";
            try
            {
                var answer = await GetJsonAsync(url);
                if ((string?)answer["status"] != "success")
                {
                    failed.Add($"{query.Panel}: {answer["error"] ?? answer["message"]} ({query.Expr})");
                }
            }
            catch (HttpRequestException e)
            {
                failed.Add($"{query.Panel}: {e.Message} ({query.Expr})");
            }
        }

        Report(count > 0 && failed.Count == 0, $"dashboard {uid}: {count - failed.Count}/{count} panel queries answered" +
            (failed.Count == 0 ? "" : $"; failed: {string.Join("; ", failed)}"));
    }

    private static async Task<JsonNode> GetJsonAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode || body.StartsWith('{')
            ? JsonNode.Parse(body)!
            : throw new HttpRequestException($"{(int)response.StatusCode} from {url}: {body}");
    }

    private static async Task<List<string>> UntilAsync(Func<Task<List<string>>> problems)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (true)
        {
            var found = await problems();
            if (found.Count == 0 || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
        }
    }

    private void Report(bool ok, string what)
    {
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
        Failures += ok ? 0 : 1;
    }
}

/// <summary>Just enough of Redis's protocol for AUTH and CONFIG GET.</summary>
internal sealed class Resp(Stream stream)
{
    private readonly BufferedStream _in = new(stream);

    public async Task<object?> CallAsync(params string[] command)
    {
        var request = new StringBuilder($"*{command.Length}\r\n");
        foreach (var part in command)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        return ReadReply();
    }

    private object? ReadReply()
    {
        var line = ReadLine();
        return line[0] switch
        {
            '+' => line[1..],
            '-' => $"error: {line[1..]}",
            ':' => line[1..],
            '$' when line == "$-1" => null,
            '$' => ReadBulk(int.Parse(line[1..], CultureInfo.InvariantCulture)),
            '*' => Enumerable.Range(0, int.Parse(line[1..], CultureInfo.InvariantCulture)).Select(_ => ReadReply()).ToList(),
            _ => throw new InvalidDataException($"unexpected Redis reply {line}"),
        };
    }

    private string ReadBulk(int length)
    {
        var buffer = new byte[length + 2];
        _in.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        for (var b = _in.ReadByte(); b != '\n'; b = _in.ReadByte())
        {
            bytes.Add(b >= 0 ? (byte)b : throw new EndOfStreamException("Redis closed the connection"));
        }

        return Encoding.UTF8.GetString([.. bytes]).TrimEnd('\r');
    }
}
