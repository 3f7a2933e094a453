namespace BullMq.Tests.Encoding;

public sealed class JobOptionsTests
{
    [Fact]
    public void Options_serialise_with_bullmq_field_names()
    {
        var options = new JobOptions
        {
            JobId = "evt-1",
            Attempts = 3,
            Backoff = Backoff.Exponential(100),
            Delay = 5000,
            Priority = 2,
            RemoveOnComplete = KeepJobs.None,
            RemoveOnFail = KeepJobs.Last(10),
        };

        Assert.Equal(
            """{"jobId":"evt-1","attempts":3,"backoff":{"type":"exponential","delay":100},"delay":5000,"priority":2,"removeOnComplete":true,"removeOnFail":10}""",
            options.ToJson());
    }

    [Theory]
    [InlineData("""{"backoff":250}""", "fixed", 250)]
    [InlineData("""{"backoff":{"delay":100,"type":"exponential"}}""", "exponential", 100)]
    public void Backoff_written_by_bullmq_is_read_in_both_shapes(string json, string type, long delay)
    {
        var backoff = JobOptions.FromJson(json).Backoff!;

        Assert.Equal(type, backoff.Type);
        Assert.Equal(delay, backoff.Delay);
    }

    [Theory]
    [InlineData("""{"removeOnComplete":true}""", 0L, null)]
    [InlineData("""{"removeOnComplete":false}""", null, null)]
    [InlineData("""{"removeOnComplete":25}""", 25L, null)]
    [InlineData("""{"removeOnComplete":{"age":3600,"count":5}}""", 5L, 3600L)]
    public void Keep_jobs_written_by_bullmq_is_read_in_every_shape(string json, long? count, long? age)
    {
        var keep = JobOptions.FromJson(json).RemoveOnComplete;

        Assert.Equal(count, keep?.Count);
        Assert.Equal(age, keep?.AgeSeconds);
    }

    [Theory]
    [InlineData(-1, null, null, null, "attempts")]
    [InlineData(0, -5L, null, null, "delay")]
    [InlineData(0, null, 3_000_000, null, "priority")]
    [InlineData(0, null, null, "42", "jobId")]
    [InlineData(0, null, null, "a:b", "jobId")]
    public void Invalid_options_are_refused_naming_the_field(int attempts, long? delay, int? priority, string? jobId, string field)
    {
        var options = new JobOptions { Attempts = attempts, Delay = delay, Priority = priority, JobId = jobId };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has:colon")]
    [InlineData("has space")]
    [InlineData("-leading-dash")]
    [InlineData("new\nline")]
    public void Invalid_queue_names_are_refused_at_construction(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new QueueKeys(name));

        Assert.Contains("is invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Queue_keys_follow_bullmq_layout()
    {
        var keys = new QueueKeys("metastore-events");

        Assert.Equal("bull:metastore-events:wait", keys.Wait.ToString());
        Assert.Equal("bull:metastore-events:42", keys.Job("42").ToString());
        Assert.Equal("bull:metastore-events:42:lock", keys.Lock("42").ToString());
        Assert.Equal("bull:metastore-events:marker", keys.Marker.ToString());
    }
}
