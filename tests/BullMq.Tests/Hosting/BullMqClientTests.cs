using System.Collections.Concurrent;
using System.Diagnostics;
using BullMq.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace BullMq.Tests.Hosting;

/// <summary><c>AddBullMqClient</c> in a real host against a real Redis: one shared connection, a health check per queue, the gauges only when asked.</summary>
[Collection(RedisCollection.Name)]
public sealed class BullMqClientTests(RedisServer redis)
{
    private IHost Host(Action<BullMqSettings> configure, params (string Key, string Value)[] settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(
            settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)).Append(KeyValuePair.Create("ConnectionStrings:redis", (string?)redis.Configuration)));
        builder.AddBullMqClient("redis", configure);
        return builder.Build();
    }

    private static async Task<HealthReport> HealthAsync(IHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Queues_run_over_the_services_own_Redis_connection_which_has_its_health_check()
    {
        var queue = RedisServer.UniqueQueue("client");
        using var host = Host(s => s.Queues.Add(queue));

        var shared = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var database = await host.Services.GetRequiredService<QueueConnection>().DatabaseAsync();

        Assert.Same(shared, database.Multiplexer);
        var report = await HealthAsync(host);
        Assert.Equal(HealthStatus.Healthy, report.Entries[$"queue:{queue}"].Status);
        Assert.Contains(report.Entries, e => e.Key != $"queue:{queue}" && e.Key.Contains("Redis", StringComparison.OrdinalIgnoreCase) && e.Value.Status == HealthStatus.Healthy);
    }

    [Fact]
    public async Task Redis_commands_of_a_traced_operation_become_spans_of_its_trace()
    {
        using var host = Host(_ => { });
        await host.StartAsync();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "bullmq-client-tests" or "OpenTelemetry.Instrumentation.StackExchangeRedis",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("bullmq-client-tests");

        string traceId;
        using (var operation = source.StartActivity("traced operation"))
        {
            traceId = operation!.TraceId.ToString();
            await host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().StringSetAsync(RedisServer.UniqueQueue("traced"), "v");
        }

        var span = await Eventually.Until(
            () => Task.FromResult(stopped.FirstOrDefault(a => a.Source.Name != "bullmq-client-tests" && a.TraceId.ToString() == traceId)),
            a => a is not null, TimeSpan.FromSeconds(5), "the SET as a span of the operation's trace");
        Assert.Equal("SET", span!.DisplayName);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_backlog_threshold_comes_from_the_BullMq_section_and_turns_the_queue_degraded_above_it()
    {
        var queue = RedisServer.UniqueQueue("backlog");
        using var host = Host(s => s.Queues.Add(queue), ("BullMq:BacklogThreshold", "1"));
        var producer = host.Services.GetRequiredService<QueueProducer>();

        await producer.AddAsync(queue, "job", new { n = 1 });
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync(host)).Entries[$"queue:{queue}"].Status);

        await producer.AddAsync(queue, "job", new { n = 2 });
        var entry = (await HealthAsync(host)).Entries[$"queue:{queue}"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("over the threshold of 1", entry.Description);
    }

    [Fact]
    public void The_gauges_are_published_only_by_the_service_that_asks_for_them()
    {
        using var quiet = Host(s => s.Queues.Add("q"));
        using var monitoring = Host(s => { s.Queues.Add("q"); s.Monitor = true; });

        Assert.Null(quiet.Services.GetService<QueueMonitor>());
        Assert.NotNull(monitoring.Services.GetService<QueueMonitor>());
    }

    [Fact]
    public void A_missing_connection_string_fails_at_wiring_and_names_it()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();

        var e = Assert.Throws<InvalidOperationException>(() => builder.AddBullMqClient("queues"));

        Assert.Contains("ConnectionStrings:queues", e.Message);
    }
}
