using System.Security.Cryptography;
using FilestoreStub.Changes;
using FilestoreStub.Events;
using FilestoreStub.Paths;
using FilestoreStub.Roots;

namespace FilestoreStub.Commands;

/// <summary>
/// Plans and executes file commands inside a managed root. Planning reads only; executing changes the disk
/// atomically: a put writes a temporary file in Filestore's work folder beside the roots and renames it into
/// place, a move is a single rename, and a command that fails leaves every path as it was.
/// </summary>
public sealed class FileCommands(ManagedRoots roots)
{
    /// <summary>
    /// Carries out a prepared command; returns the change made. Synchronous on purpose: for files of a command's
    /// size, an asynchronous open and write cost more than they ever wait.
    /// </summary>
    public PlannedChange Execute(PreparedCommand prepared)
    {
        var (command, path, destination) = (prepared.Command, prepared.Path, prepared.Destination);
        switch (command.Name)
        {
            case CommandNames.Put:
                Put(path, command.Content!, roots.WorkDirectory);
                break;
            case CommandNames.Mkdir:
                CreateDirectories(path.Root, path.Relative);
                break;
            case CommandNames.Move:
                Move(path, destination!);
                break;
            case CommandNames.Delete:
                path.EnsureNoLinks();
                if (Directory.Exists(path.FullPath))
                {
                    Directory.Delete(path.FullPath);
                }
                else
                {
                    File.Delete(path.FullPath);
                }

                break;
        }

        return prepared.Change;
    }

    /// <summary>
    /// Resolves the paths once and checks the command against the disk as it is now (nothing is written); executing
    /// reuses what this resolved.
    /// </summary>
    public PreparedCommand Prepare(string env, string service, FileCommand command)
    {
        var path = roots.Resolve(env, service, command.Path);
        var destination = command.Name == CommandNames.Move ? Destination(env, service, command) : null;
        var change = command.Name switch
        {
            CommandNames.Put => PlanPut(path, command.Content),
            CommandNames.Mkdir => PlanMkdir(path),
            CommandNames.Move => PlanMove(path, destination!),
            CommandNames.Delete => PlanDelete(path),
            _ => throw new CommandRejectedException(StatusCodes.Status400BadRequest, "unknown-command",
                $"'{command.Name}' is not a command; use {string.Join(", ", CommandNames.All)}."),
        };
        var changes = ChangesOf(path, destination!, change);
        return new PreparedCommand(command, path, destination, change, changes, EffectsOf(changes));
    }

    private static List<PlannedChange> ChangesOf(ManagedPath path, ManagedPath destination, PlannedChange change) => change.Kind switch
    {
        PlannedChange.Unchanged => [],
        EventKinds.DirectoryRenamed =>
        [
            .. ManagedTree.Files(path.FullPath).Select(f => new PlannedChange(EventKinds.Renamed, $"{destination.Relative}/{f.Relative}",
                $"{path.Relative}/{f.Relative}", new FileInfo(f.FullPath).Length, ManagedTree.Sha256(f.FullPath))),
            change,
        ],
        _ => [change],
    };

    // Files a change creates, rewrites or removes; folders are not files to the watcher.
    private static List<ExpectedChange> EffectsOf(IEnumerable<PlannedChange> changes) =>
        changes.SelectMany(c => c.Kind switch
        {
            EventKinds.Created or EventKinds.Modified => [new ExpectedChange(c.Path, c.Sha256)],
            EventKinds.Deleted => [new ExpectedChange(c.Path, null)],
            EventKinds.Renamed => new[] { new ExpectedChange(c.PreviousPath!, null), new ExpectedChange(c.Path, c.Sha256) },
            _ => [],
        }).ToList();

    private static PlannedChange PlanPut(ManagedPath path, byte[]? content)
    {
        if (content is null)
        {
            throw new CommandRejectedException(StatusCodes.Status400BadRequest, "validation", "put needs content.");
        }

        if (Directory.Exists(path.FullPath))
        {
            throw new CommandRejectedException(StatusCodes.Status409Conflict, "is-a-directory", $"'{path.Relative}' is a directory.");
        }

        EnsureParentsAreDirectories(path);
        var kind = File.Exists(path.FullPath) ? EventKinds.Modified : EventKinds.Created;
        return new PlannedChange(kind, path.Relative, Size: content.LongLength, Sha256: Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    private static PlannedChange PlanMkdir(ManagedPath path)
    {
        if (File.Exists(path.FullPath))
        {
            throw new CommandRejectedException(StatusCodes.Status409Conflict, "is-a-file", $"'{path.Relative}' is a file.");
        }

        EnsureParentsAreDirectories(path);
        return new PlannedChange(Directory.Exists(path.FullPath) ? PlannedChange.Unchanged : EventKinds.DirectoryCreated, path.Relative);
    }

    private static PlannedChange PlanMove(ManagedPath source, ManagedPath destination)
    {
        if (!File.Exists(source.FullPath) && !Directory.Exists(source.FullPath))
        {
            throw new CommandRejectedException(StatusCodes.Status404NotFound, "not-found", $"'{source.Relative}' does not exist.");
        }

        if (File.Exists(destination.FullPath) || Directory.Exists(destination.FullPath))
        {
            throw new CommandRejectedException(StatusCodes.Status409Conflict, "destination-exists", $"'{destination.Relative}' already exists; move never overwrites.");
        }

        if (destination.Relative.StartsWith(source.Relative + "/", StringComparison.Ordinal))
        {
            throw new CommandRejectedException(StatusCodes.Status409Conflict, "move-into-itself", $"'{source.Relative}' cannot move into itself.");
        }

        EnsureParentsAreDirectories(destination);
        return File.Exists(source.FullPath)
            ? new PlannedChange(EventKinds.Renamed, destination.Relative, source.Relative, new FileInfo(source.FullPath).Length, ManagedTree.Sha256(source.FullPath))
            : new PlannedChange(EventKinds.DirectoryRenamed, destination.Relative, source.Relative);
    }

    private static PlannedChange PlanDelete(ManagedPath path)
    {
        if (Directory.Exists(path.FullPath))
        {
            if (Directory.EnumerateFileSystemEntries(path.FullPath).Any())
            {
                throw new CommandRejectedException(StatusCodes.Status409Conflict, "directory-not-empty", $"'{path.Relative}' is not empty; delete what is in it first.");
            }

            return new PlannedChange(EventKinds.DirectoryDeleted, path.Relative);
        }

        if (!File.Exists(path.FullPath))
        {
            throw new CommandRejectedException(StatusCodes.Status404NotFound, "not-found", $"'{path.Relative}' does not exist.");
        }

        return new PlannedChange(EventKinds.Deleted, path.Relative);
    }

    private ManagedPath Destination(string env, string service, FileCommand command) =>
        string.IsNullOrEmpty(command.To)
            ? throw new CommandRejectedException(StatusCodes.Status400BadRequest, "validation", "move needs a destination ('to').")
            : roots.Resolve(env, service, command.To);

    // A file where a folder is needed ("a/b.txt/c") is a conflict, found before anything is written.
    private static void EnsureParentsAreDirectories(ManagedPath path)
    {
        var current = path.Root;
        var segments = path.Relative.Split('/');
        foreach (var segment in segments[..^1])
        {
            current = System.IO.Path.Combine(current, segment);
            if (File.Exists(current))
            {
                throw new CommandRejectedException(StatusCodes.Status409Conflict, "parent-is-a-file",
                    $"'{System.IO.Path.GetRelativePath(path.Root, current).Replace('\\', '/')}' is a file, not a directory.");
            }
        }
    }

    private static void Put(ManagedPath path, byte[] content, string workDirectory)
    {
        var work = Directory.CreateDirectory(System.IO.Path.Combine(workDirectory, "tmp")).FullName;
        var temporary = System.IO.Path.Combine(work, Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllBytes(temporary, content);
            var created = CreateDirectories(path.Root, ParentOf(path.Relative));
            try
            {
                // Checked again right before use: a link planted since the request was checked is refused here.
                path.EnsureNoLinks();
                File.Move(temporary, path.FullPath, overwrite: true);
            }
            catch
            {
                RemoveDirectories(created);
                throw;
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void Move(ManagedPath source, ManagedPath destination)
    {
        var created = CreateDirectories(destination.Root, ParentOf(destination.Relative));
        try
        {
            source.EnsureNoLinks();
            destination.EnsureNoLinks();
            if (Directory.Exists(source.FullPath))
            {
                Directory.Move(source.FullPath, destination.FullPath);
            }
            else
            {
                File.Move(source.FullPath, destination.FullPath, overwrite: false);
            }
        }
        catch
        {
            // A failed move leaves both paths as they were, folders made for it included.
            RemoveDirectories(created);
            throw;
        }
    }

    private static string ParentOf(string relative) => relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.LastIndexOf('/')] : string.Empty;

    // Creates the folders of relative under root one by one, checking each for links; returns those it made, deepest last.
    private static List<string> CreateDirectories(string root, string relative)
    {
        var made = new List<string>();
        if (relative.Length == 0)
        {
            return made;
        }

        var path = ManagedPath.Resolve(root, relative);
        var current = root;
        foreach (var segment in path.Relative.Split('/'))
        {
            current = System.IO.Path.Combine(current, segment);
            if (!Directory.Exists(current))
            {
                Directory.CreateDirectory(current);
                made.Add(current);
            }
        }

        path.EnsureNoLinks();
        return made;
    }

    private static void RemoveDirectories(List<string> created)
    {
        for (var i = created.Count - 1; i >= 0; i--)
        {
            if (Directory.Exists(created[i]) && !Directory.EnumerateFileSystemEntries(created[i]).Any())
            {
                Directory.Delete(created[i]);
            }
        }
    }
}
