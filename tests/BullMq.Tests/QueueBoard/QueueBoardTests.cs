using System.Net;
using System.Text.Json.Nodes;
using BullMq.Tests.Infrastructure;

namespace BullMq.Tests.QueueBoard;

/// <summary>
/// The sandbox's bull-board, run as the AppHost runs it, over a real Redis: it shows the queues, their jobs and the C#
/// workers attached to them (by the connection names BullMQ's getWorkers() matches), and refuses writes unless asked.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class QueueBoardTests(RedisServer redis) : QueueTest(redis)
{
    private static async Task<JsonNode> GetJsonAsync(QueueBoardProcess board, string path)
    {
        using var response = await board.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {response.StatusCode}: {body}\n{board.Output}");
        return JsonNode.Parse(body)!;
    }

    private static JsonNode Queue(JsonNode listing, string name) =>
        listing["queues"]!.AsArray().Single(q => q!["name"]!.GetValue<string>() == name)!;

    [Fact]
    public async Task The_board_lists_both_queues_with_counts_and_jobs_and_the_worker_attached_to_one()
    {
        var attached = RedisServer.UniqueQueue("board-attached");
        var waiting = RedisServer.UniqueQueue("board-waiting");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Workers.Start(attached, async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return null;
        }, Workers.Fast with { Name = "metastore" });
        await Producer.AddAsync(attached, "held", new { n = 1 });
        var queued = await Producer.AddAsync(waiting, "queued", new { n = 2 });
        await using var board = await QueueBoardProcess.StartAsync(Redis, [attached, waiting]);

        try
        {
            var listing = await Eventually.Until(() => GetJsonAsync(board, "/api/queues"),
                l => Queue(l, attached)["counts"]!["active"]!.GetValue<int>() == 1, what: "the held job to show as active");

            Assert.True(Queue(listing, attached)["hasWorkers"]!.GetValue<bool>());
            Assert.False(Queue(listing, waiting)["hasWorkers"]!.GetValue<bool>());
            Assert.Equal(1, Queue(listing, waiting)["counts"]!["waiting"]!.GetValue<int>());
            Assert.All(listing["queues"]!.AsArray(), q => Assert.True(q!["readOnlyMode"]!.GetValue<bool>()));

            var jobs = Queue(await GetJsonAsync(board, $"/api/queues?activeQueue={waiting}&status=waiting&page=1&jobsPerPage=10"), waiting)["jobs"]!.AsArray();
            var job = Assert.Single(jobs)!;
            Assert.Equal(queued.JobId, job["id"]!.GetValue<string>());
            Assert.Equal("queued", job["name"]!.GetValue<string>());

            var workers = (await GetJsonAsync(board, $"/api/queues/{attached}/workers"))["workers"]!.AsArray();
            Assert.Equal("metastore", Assert.Single(workers)!["name"]!.GetValue<string>());
            Assert.Empty((await GetJsonAsync(board, $"/api/queues/{waiting}/workers"))["workers"]!.AsArray());
        }
        finally
        {
            release.SetResult();
        }
    }

    [Fact]
    public async Task The_board_shows_each_job_s_payload_and_each_failure_with_its_reason()
    {
        var queue = RedisServer.UniqueQueue("board-failures");
        var doomed = await Producer.AddAsync(queue, "doomed", new { path = "/srv/meta/a.json" }, new JobOptions { Attempts = 1 });
        Workers.Start(queue, (_, _) => throw new InvalidOperationException("disk on fire"));
        await FinishedJob(queue, doomed.JobId);
        var waiting = await Producer.AddAsync(RedisServer.UniqueQueue("board-payload"), "queued", new { path = "/srv/meta/b.json", size = 42 });
        await using var board = await QueueBoardProcess.StartAsync(Redis, [queue, waiting.Queue]);

        var failed = Assert.Single(Queue(await GetJsonAsync(board, $"/api/queues?activeQueue={queue}&status=failed&page=1&jobsPerPage=10"), queue)["jobs"]!.AsArray())!;
        var queued = Assert.Single(Queue(await GetJsonAsync(board, $"/api/queues?activeQueue={waiting.Queue}&status=waiting&page=1&jobsPerPage=10"), waiting.Queue)["jobs"]!.AsArray())!;

        Assert.Equal(doomed.JobId, failed["id"]!.GetValue<string>());
        Assert.Equal("disk on fire", failed["failedReason"]!.GetValue<string>());
        Assert.Contains("disk on fire", Assert.Single(failed["stacktrace"]!.AsArray())!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("/srv/meta/a.json", failed["data"]!["path"]!.GetValue<string>());
        Assert.Equal("""{"path":"/srv/meta/b.json","size":42}""", queued["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Writes_are_refused_by_default_and_allowed_only_when_configured()
    {
        var queue = RedisServer.UniqueQueue("board-writes");
        var queued = await Producer.AddAsync(queue, "queued", new { });

        await using (var readOnly = await QueueBoardProcess.StartAsync(Redis, [queue]))
        {
            using var pause = await readOnly.Http.PutAsync($"/api/queues/{queue}/pause", null);
            using var clean = await readOnly.Http.PutAsync($"/api/queues/{queue}/clean/waiting", null);
            // Writes to one job too: remove it, or replace its data.
            using var removeJob = await readOnly.Http.PutAsync($"/api/queues/{queue}/{queued.JobId}/clean", null);
            using var rewriteJob = await readOnly.Http.PatchAsync($"/api/queues/{queue}/{queued.JobId}/update-data",
                new StringContent("""{"jobData":{"rewritten":true}}""", System.Text.Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.MethodNotAllowed, pause.StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, clean.StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, removeJob.StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, rewriteJob.StatusCode);
            Assert.False(await Operations(queue).IsPausedAsync());
            Assert.Equal(1, (await Operations(queue).GetJobCountsAsync())[JobStates.Waiting]);
        }

        await using var writable = await QueueBoardProcess.StartAsync(Redis, [queue], readOnly: false);
        using var allowed = await writable.Http.PutAsync($"/api/queues/{queue}/pause", null);

        Assert.True(allowed.IsSuccessStatusCode, $"pause answered {allowed.StatusCode}");
        Assert.True(await Operations(queue).IsPausedAsync());
    }

    [Theory]
    [InlineData("127.0.0.1:6379,password=s3cret,127.0.0.2:6379", "q", "true", "queue-board: ConnectionStrings__redis must name exactly one Redis endpoint (host:port), not 2: 127.0.0.1:6379, 127.0.0.2:6379")]
    [InlineData("127.0.0.1:notaport", "q", "true", "queue-board: The Redis port in '127.0.0.1:notaport' must be a port number from 1 to 65535, not 'notaport'")]
    [InlineData("", "q", "true", "queue-board: ConnectionStrings__redis is not set; reference the Redis resource (WithReference(redis))")]
    [InlineData("127.0.0.1:6379", "", "true", "queue-board: QUEUE_BOARD_QUEUES is not set; give the queue names separated by commas")]
    [InlineData("127.0.0.1:6379", "ok,not ok", "true", "queue-board: Queue name 'not ok' in QUEUE_BOARD_QUEUES is invalid: use 1 to 100 letters, digits, '.', '_' or '-'")]
    [InlineData("127.0.0.1:6379", "q", "yes", "queue-board: QUEUE_BOARD_READ_ONLY must be true or false, not 'yes'")]
    public async Task Bad_configuration_stops_the_board_with_one_line_and_a_nonzero_exit(string redisConnection, string queues, string readOnly, string expected)
    {
        var (exitCode, stderr) = await QueueBoardProcess.RunAsync(new Dictionary<string, string>
        {
            ["PORT"] = "1",
            ["ConnectionStrings__redis"] = redisConnection,
            ["QUEUE_BOARD_QUEUES"] = queues,
            ["QUEUE_BOARD_READ_ONLY"] = readOnly,
        });

        Assert.Equal(2, exitCode);
        Assert.Equal([expected], stderr);
    }

    [Fact]
    public async Task The_user_password_and_database_of_the_connection_string_are_used_and_other_options_ignored()
    {
        // A user of its own, so the shared server keeps answering other tests without a password.
        var user = $"board-{Guid.NewGuid():N}";
        await Redis.Db.ExecuteAsync("ACL", "SETUSER", user, "on", ">s3cret=", "~*", "&*", "+@all");
        var queue = RedisServer.UniqueQueue("board-db");
        await Producer.AddAsync(queue, "in-db-0", new { });
        var options = $"{Redis.Configuration},user={user},password=s3cret=,defaultDatabase=1,abortConnect=false,connectTimeout=5000";

        await using var board = await QueueBoardProcess.StartAsync(Redis, [queue], connectionString: options);
        var listing = await GetJsonAsync(board, "/api/queues");

        // The job is in database 0; the board looks at database 1.
        Assert.Equal(0, Queue(listing, queue)["counts"]!["waiting"]!.GetValue<int>());
        var clients = await Redis.Multiplexer.GetServer(Redis.Configuration).ClientListAsync();
        Assert.Contains(clients, c => c.Name == "queue-board" && c.Raw!.Contains($"user={user}", StringComparison.Ordinal) && c.Database == 1);
    }
}
