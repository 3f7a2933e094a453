using SampleConsumer.Events;

namespace SampleConsumer.Tests.Events;

public sealed class ChangeEventTests
{
    private const string Valid = """
        {"eventId":"cmd-1","env":"staging","service":"billing","path":"a.txt","kind":"created","source":"command",
         "occurredAt":1795855828109,"sequence":1795855828109000,"correlationId":"c-1","size":3,"sha256":"abc"}
        """;

    [Fact]
    public void A_well_formed_event_is_read_with_every_field()
    {
        var change = ChangeEvent.Parse(Valid);

        Assert.Equal(("cmd-1", "staging", "billing", "a.txt", "created", 1795855828109000L, 3L, "abc"),
            (change.EventId, change.Env, change.Service, change.Path, change.Kind, change.Sequence, change.Size, change.Sha256));
    }

    [Theory]
    [InlineData("not json", "not an event")]
    [InlineData("null", "null")]
    [InlineData("""{"eventId":"x"}""", "env is missing")]
    [InlineData("""{"eventId":"x","env":"staging","service":"b","path":"p","kind":"exploded","occurredAt":1,"sequence":1,"correlationId":"c"}""", "kind 'exploded'")]
    [InlineData("""{"eventId":"x","env":"staging","service":"b","path":"p","kind":"renamed","occurredAt":1,"sequence":1,"correlationId":"c","size":1,"sha256":"a"}""", "previousPath")]
    [InlineData("""{"eventId":"x","env":"staging","service":"b","path":"p","kind":"created","occurredAt":1,"sequence":1,"correlationId":"c"}""", "size and sha256")]
    [InlineData("""{"eventId":"x","env":"staging","service":"b","path":"p","kind":"deleted","occurredAt":"soon","sequence":1,"correlationId":"c"}""", "not an event")]
    [InlineData("""{"eventId":"x","env":"staging","service":"b","path":"p","kind":"deleted","occurredAt":1,"correlationId":"c"}""", "sequence is missing")]
    public void A_malformed_event_is_refused_with_its_reason(string json, string reason)
    {
        var error = Assert.Throws<MalformedEventException>(() => ChangeEvent.Parse(json));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
