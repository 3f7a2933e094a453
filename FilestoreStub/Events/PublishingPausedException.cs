namespace FilestoreStub.Events;

/// <summary>Events of a service are not being published (an operator paused them, or a rollback stopped them).</summary>
public sealed class PublishingPausedException(string env, string service)
    : Exception($"Publishing of {service} in {env} is paused; resume it with PUT /envs/{env}/services/{service}/publishing.");
