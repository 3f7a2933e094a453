namespace Runbook;

/// <summary>How a runbook run ended, as the CLI's exit code: scripts branch on it.</summary>
public enum RunbookExit
{
    Ok = 0,

    /// <summary>A check failed: the environment answered, and what it said is not what the step needs.</summary>
    CheckFailed = 1,

    /// <summary>The command line or an input file is wrong; nothing was changed.</summary>
    BadUsage = 2,

    /// <summary>Filestore, a consumer, Prometheus or Redis could not be reached.</summary>
    Unreachable = 3,

    /// <summary>The environment refused the token: missing, unknown, expired, revoked or not allowed.</summary>
    NotAuthorised = 4,
}

/// <summary>A runbook failure with the one line an operator reads and the exit code a script reads.</summary>
public class RunbookException(RunbookExit exit, string message, Exception? inner = null) : Exception(message, inner)
{
    public RunbookExit Exit { get; } = exit;
}

/// <summary>A verification did not hold.</summary>
public sealed class CheckFailedException(string message) : RunbookException(RunbookExit.CheckFailed, message);

/// <summary>Bad input: an unknown scenario, a missing file, a malformed policy.</summary>
public sealed class BadUsageException(string message) : RunbookException(RunbookExit.BadUsage, message);

/// <summary>A part of the environment did not answer.</summary>
public sealed class UnreachableException(string message, Exception? inner = null) : RunbookException(RunbookExit.Unreachable, message, inner);

/// <summary>Filestore answered 401 or 403.</summary>
public sealed class NotAuthorisedException(string message) : RunbookException(RunbookExit.NotAuthorised, message);
