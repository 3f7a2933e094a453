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

        Assert.Equal(
            [
                "bull:metastore-events:wait", "bull:metastore-events:active", "bull:metastore-events:prioritized",
                "bull:metastore-events:pc", "bull:metastore-events:delayed", "bull:metastore-events:completed",
                "bull:metastore-events:failed", "bull:metastore-events:waiting-children", "bull:metastore-events:meta",
                "bull:metastore-events:id", "bull:metastore-events:marker", "bull:metastore-events:events",
                "bull:metastore-events:stalled", "bull:metastore-events:stalled-check",
                "bull:metastore-events:42", "bull:metastore-events:42:lock",
            ],
            new[]
            {
                keys.Wait, keys.Active, keys.Prioritized, keys.PriorityCounter, keys.Delayed, keys.Completed, keys.Failed,
                keys.WaitingChildren, keys.Meta, keys.Id, keys.Marker, keys.Events, keys.Stalled, keys.StalledCheck,
                keys.Job("42"), keys.Lock("42"),
            }.Select(k => k.ToString()));
        Assert.Equal("metastore-events", keys.Name);
        Assert.Equal("metastore-events", keys.ToString());
        Assert.Equal("other:metastore-events:wait", new QueueKeys("metastore-events", "other").Wait.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("has:colon")]
    [InlineData("-dash")]
    public void Invalid_key_prefixes_are_refused(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => new QueueKeys("q", prefix));

        Assert.Equal($"Key prefix '{prefix}' is invalid.", error.Message.Split(" (Parameter")[0]);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Z.9_x-y")]
    public void Valid_queue_names_are_accepted(string name) => Assert.Equal(name, new QueueKeys(name).Name);

    [Fact]
    public void A_queue_name_of_100_characters_is_accepted_and_one_of_101_refused()
    {
        Assert.Equal(100, new QueueKeys(new string('q', 100)).Name.Length);
        Assert.Throws<ArgumentException>(() => new QueueKeys(new string('q', 101)));
    }

    [Fact]
    public void Options_at_the_edges_of_their_ranges_are_accepted()
    {
        new JobOptions { Attempts = 0, Delay = 0, Priority = 0, JobId = "a" }.Validate();
        new JobOptions { Priority = Scores.MaxPriority, Backoff = Backoff.Fixed(0) }.Validate();
        new JobOptions { Backoff = Backoff.Exponential(0) }.Validate();
    }

    [Theory]
    [InlineData("linear", 10, "backoff type")]
    [InlineData("fixed", -1, "backoff delay")]
    public void Invalid_backoff_is_refused_naming_what_is_wrong(string type, long delay, string what)
    {
        var error = Assert.Throws<ArgumentException>(new JobOptions { Backoff = new Backoff(type, delay) }.Validate);

        Assert.StartsWith(what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_job_id_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(new JobOptions { JobId = "" }.Validate);

        Assert.StartsWith("jobId", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-3, 1)]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(4, 4)]
    public void A_job_runs_at_least_once_whatever_its_attempts(int attempts, int effective) =>
        Assert.Equal(effective, new JobOptions { Attempts = attempts }.EffectiveAttempts);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("null")]
    public void Missing_options_read_as_the_defaults(string? json) => Assert.Equal(new JobOptions(), JobOptions.FromJson(json));

    [Theory]
    [InlineData("""{"backoff":{}}""", "fixed", 0)]
    [InlineData("""{"backoff":{"type":"exponential"}}""", "exponential", 0)]
    [InlineData("""{"backoff":{"type":null,"delay":"5"}}""", "fixed", 0)]
    public void Backoff_with_missing_parts_reads_as_bullmq_defaults_them(string json, string type, long delay) =>
        Assert.Equal(new Backoff(type, delay), JobOptions.FromJson(json).Backoff);

    [Theory]
    [InlineData(null, 3600L, """{"attempts":0,"removeOnComplete":{"age":3600}}""")]
    [InlineData(5L, 3600L, """{"attempts":0,"removeOnComplete":{"age":3600,"count":5}}""")]
    [InlineData(0L, null, """{"attempts":0,"removeOnComplete":true}""")]
    [InlineData(7L, null, """{"attempts":0,"removeOnComplete":7}""")]
    public void Keep_jobs_is_written_in_the_shape_bullmq_reads(long? count, long? age, string json) =>
        Assert.Equal(json, new JobOptions { RemoveOnComplete = new KeepJobs(count, age) }.ToJson());

    [Fact]
    public void Options_left_unset_are_not_written() => Assert.Equal("""{"attempts":0}""", new JobOptions().ToJson());

    [Fact]
    public void An_unknown_backoff_type_read_from_redis_cannot_compute_a_delay() =>
        Assert.Throws<InvalidOperationException>(() => new Backoff("linear", 10).DelayAfter(1));

    [Fact]
    public void A_backoff_before_any_attempt_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Fixed(10).DelayAfter(0));
}
