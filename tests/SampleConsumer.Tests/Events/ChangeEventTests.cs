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

        Assert.Equal(new ChangeEvent("cmd-1", "staging", "billing", "a.txt", "created", "command", 1795855828109L, 1795855828109000L, "c-1", 3L, "abc", null),
            change);
    }

    [Fact]
    public void A_rename_is_read_with_the_path_it_came_from_and_an_event_without_a_source_is_of_unknown_source()
    {
        var change = ChangeEvent.Parse("""
            {"eventId":"r-1","env":"staging","service":"billing","path":"b.txt","previousPath":"a.txt","kind":"renamed",
             "occurredAt":1,"sequence":2,"correlationId":"c-2"}
            """);

        Assert.Equal(("renamed", "a.txt", "unknown", null, null), (change.Kind, change.PreviousPath, change.Source, change.Size, change.Sha256));
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
