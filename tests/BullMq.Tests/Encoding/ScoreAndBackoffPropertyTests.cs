using CsCheck;

namespace BullMq.Tests.Encoding;

public sealed class ScoreAndBackoffPropertyTests
{
    // Due times up to the year 2100 in ms; scores must stay exact in a double (below 2^53).
    // A score is a double: due x 4096 + sequence is exact up to 2^53, so due times up to 2039 (as in BullMQ itself).
    private static readonly Gen<long> DueAt = Gen.Long[0, (1L << 53) / Scores.DelayedSequenceSpan - 1];
    private static readonly Gen<long> Sequence = Gen.Long[0, Scores.DelayedSequenceSpan - 1];

    [Fact]
    public void A_delayed_score_decodes_to_its_due_time_whatever_the_sequence() =>
        Gen.Select(DueAt, Sequence).Sample((due, sequence) => Scores.DueAt(Scores.Delayed(due, sequence)) == due);

    [Fact]
    public void An_earlier_due_time_always_sorts_first() =>
        Gen.Select(DueAt, DueAt, Sequence, Sequence).Sample((a, b, sa, sb) =>
            a == b || (a < b) == (Scores.Delayed(a, sa) < Scores.Delayed(b, sb)));

    [Fact]
    public void Jobs_due_in_the_same_millisecond_keep_their_order() =>
        Gen.Select(DueAt, Sequence, Sequence).Sample((due, s1, s2) =>
            s1 == s2 || (s1 < s2) == (Scores.Delayed(due, s1) < Scores.Delayed(due, s2)));

    [Fact]
    public void A_lower_priority_number_runs_first_and_equal_priorities_stay_fifo() =>
        Gen.Select(Gen.Int[1, Scores.MaxPriority], Gen.Int[1, Scores.MaxPriority], Gen.Long[1, Scores.PriorityCounterSpan - 1], Gen.Long[1, Scores.PriorityCounterSpan - 1])
            .Sample((p1, p2, c1, c2) =>
            {
                var first = Scores.Prioritized(p1, c1);
                var second = Scores.Prioritized(p2, c2);
                return p1 != p2 ? (p1 < p2) == (first < second) : c1 == c2 || (c1 < c2) == (first < second);
            });

    [Fact]
    public void A_prioritized_score_decodes_to_its_priority() =>
        Gen.Select(Gen.Int[1, Scores.MaxPriority], Gen.Long[0, Scores.PriorityCounterSpan - 1])
            .Sample((priority, counter) => Scores.PriorityOf(Scores.Prioritized(priority, counter)) == priority);

    [Fact]
    public void Fixed_backoff_waits_the_same_before_every_retry() =>
        Gen.Select(Gen.Long[0, 3_600_000], Gen.Int[1, 50]).Sample((delay, attempt) => Backoff.Fixed(delay).DelayAfter(attempt) == delay);

    [Fact]
    public void Exponential_backoff_starts_at_the_delay_and_doubles_each_attempt() =>
        Gen.Select(Gen.Long[0, 100_000], Gen.Int[1, 20]).Sample((delay, attempt) =>
        {
            var backoff = Backoff.Exponential(delay);
            return backoff.DelayAfter(1) == delay && backoff.DelayAfter(attempt + 1) == 2 * backoff.DelayAfter(attempt);
        });

    [Fact]
    public void Exponential_backoff_matches_bullmq_formula_for_known_values()
    {
        var backoff = Backoff.Exponential(100);

        Assert.Equal([100L, 200, 400, 800], Enumerable.Range(1, 4).Select(backoff.DelayAfter));
    }

    [Fact]
    public void Scores_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Scores.Delayed(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Scores.Prioritized(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Scores.Prioritized(Scores.MaxPriority + 1, 1));
    }

    [Fact]
    public void Scores_at_the_edges_of_their_ranges_are_exact()
    {
        Assert.Equal(0, Scores.Delayed(0));
        Assert.Equal(5 * 0x1000 + 0xFFF, Scores.Delayed(5, 0x1000 + 7));
        Assert.Equal(5 * 0x1000, Scores.Delayed(5, -3));
        Assert.Equal(1 * (double)0x100000000 + 0, Scores.Prioritized(1, 0x100000000));
        Assert.Equal(Scores.MaxPriority * (double)0x100000000 + 1, Scores.Prioritized(Scores.MaxPriority, 1));
    }
}
