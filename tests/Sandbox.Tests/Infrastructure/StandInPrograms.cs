namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// A temp folder of stand-in programs, shell scripts that answer as the real ones would, to put first on a PATH.
/// </summary>
public sealed class StandInPrograms(string name) : IDisposable
{
    private readonly TempDirectory _folder = new(name);

    public string Path => _folder.Path;

    /// <summary>Adds <paramref name="program"/>, running <paramref name="script"/> under <c>/bin/sh</c>.</summary>
    public void Add(string program, string script)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The stand-in programs are shell scripts.");
        }

        var file = System.IO.Path.Combine(Path, program);
        File.WriteAllText(file, $"#!/bin/sh\n{script}\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserExecute);
    }

    public void Dispose() => _folder.Dispose();
}
