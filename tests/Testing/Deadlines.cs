namespace Sandbox.Testing;

/// <summary>Deadlines the test projects share.</summary>
public static class Deadlines
{
    /// <summary>
    /// How long a test waits for one HTTP answer from a process it started (a service, the queue board, a sandbox): a
    /// guard against a hang, not a speed limit. With every test project and four sandboxes running at once on two
    /// cores, a freshly started process took over 15 s to give its first answer.
    /// </summary>
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(60);
}
