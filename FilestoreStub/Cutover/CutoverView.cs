using FilestoreStub.Changes;

namespace FilestoreStub.Cutover;

/// <summary>Everything an operator checks before a transition: where the service is and what each next step still needs.</summary>
public sealed record CutoverView(
    string Env, string Service, CutoverMode Mode, DateTimeOffset? Since, Approval? Approval, bool WatcherEnabled, bool PublishingPaused,
    ShadowStats? Shadow, IReadOnlyList<NextTransition> Next);
