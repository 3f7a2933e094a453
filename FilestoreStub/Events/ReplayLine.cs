namespace FilestoreStub.Events;

/// <summary>One line of a rollback export, checked: the job to add back to its own queue.</summary>
/// <param name="Number">The line's number in the file (1 for the first, blank lines counted), for messages.</param>
/// <param name="Queue">The queue the job was exported from, and goes back to.</param>
/// <param name="Name">The job's name, as exported.</param>
/// <param name="DataJson">The job's data, as exported (the event's JSON).</param>
/// <param name="Event">The event that data holds.</param>
public sealed record ReplayLine(int Number, string Queue, string Name, string DataJson, FilestoreEvent Event);
