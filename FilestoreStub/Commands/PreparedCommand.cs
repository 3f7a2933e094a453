using FilestoreStub.Changes;
using FilestoreStub.Paths;

namespace FilestoreStub.Commands;

/// <summary>
/// A command checked against the disk, its paths resolved once: the change it makes and its effect on each file
/// (what the drift watcher is told to expect).
/// </summary>
/// <param name="Command">The command as sent.</param>
/// <param name="Path">Its path, resolved inside the root.</param>
/// <param name="Destination">A move's destination, resolved inside the root.</param>
/// <param name="Change">The change as the caller asked for it (what the API answers).</param>
/// <param name="Changes">
/// The change path by path, as the consumers receive it: one entry for most commands; for a folder move, every file
/// under it moved, then the folder itself.
/// </param>
/// <param name="Effects">What the drift watcher is told to expect, file by file.</param>
public sealed record PreparedCommand(
    FileCommand Command, ManagedPath Path, ManagedPath? Destination, PlannedChange Change, IReadOnlyList<PlannedChange> Changes,
    IReadOnlyList<ExpectedChange> Effects);
