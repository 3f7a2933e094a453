using System.Net;
using System.Net.Sockets;
using System.Text;
using Runbook;
using Runbook.Targets;

namespace Sandbox.Tests.Runbook;

/// <summary>
/// How the runbook's HTTP client turns what a service answered into the one-line error and exit code an operator gets:
/// a refused token is 4, a service that does not answer is 3, any other refusal fails the check (1) in the service's words.
/// </summary>
public sealed class ServiceApiTests
{
    private static readonly Uri Filestore = new("http://filestore.test:5101/");

    /// <summary>Answers every request with the given function and keeps the requests it saw.</summary>
    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(answer(request));
        }
    }

    private static HttpResponseMessage Problem(HttpStatusCode status, string kind, string detail) => new(status)
    {
        Content = new StringContent(
            $$"""{"type":"https://filestore.sandbox/problems/{{kind}}","title":"Refused","status":{{(int)status}},"detail":"{{detail}}"}""",
            Encoding.UTF8, "application/problem+json"),
    };

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "unauthorized/revoked", "The token was revoked.")]
    [InlineData(HttpStatusCode.Forbidden, "approval-needs-a-person", "An approval must name a person.")]
    public async Task A_refused_token_is_NotAuthorised_naming_the_service_the_call_and_the_reason(HttpStatusCode status, string kind, string detail)
    {
        using var handler = new StubHandler(_ => Problem(status, kind, detail));
        using var api = new ServiceApi("Filestore", Filestore, "some-token", handler);

        var error = await Assert.ThrowsAsync<NotAuthorisedException>(() => api.SendAsync(HttpMethod.Post, "/envs/production/services/billing/cutover/approval"));

        Assert.Equal(RunbookExit.NotAuthorised, error.Exit);
        Assert.Equal($"Filestore refused the token for POST /envs/production/services/billing/cutover/approval: {(int)status} {detail}", error.Message);
    }

    [Fact]
    public async Task A_command_the_policy_denies_is_an_answer_for_the_caller_to_judge_not_a_refused_token()
    {
        using var handler = new StubHandler(_ => Problem(HttpStatusCode.Forbidden, "policy-denied", "billing-app may not delete under reports/."));
        using var api = new ServiceApi("billing", Filestore, "service-token", handler);

        var answer = await api.SendAsync(HttpMethod.Post, "/envs/staging/services/billing/commands", new { command = "delete", path = "reports/a" });

        Assert.Equal((HttpStatusCode.Forbidden, "policy-denied"), (answer.Status, answer.ProblemKind));
        Assert.Equal("billing-app may not delete under reports/.", answer.Detail);
    }

    [Fact]
    public async Task A_call_that_outlives_its_own_timeout_is_unreachable_and_says_how_long_it_waited()
    {
        using var handler = new StubHandler(_ => throw new TaskCanceledException("timed out"));
        using var api = new ServiceApi("Filestore", Filestore, "some-token", handler);

        var error = await Assert.ThrowsAsync<UnreachableException>(() => api.SendAsync(HttpMethod.Post, "/envs/staging/services/billing/cutover",
            timeout: TimeSpan.FromSeconds(140)));

        Assert.Contains("within 140 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_Unreachable_naming_the_service_its_address_and_the_call()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (filestore.test:5101)",
            new SocketException((int)SocketError.ConnectionRefused));
        using var handler = new StubHandler(_ => throw refused);
        using var api = new ServiceApi("Filestore", Filestore, "some-token", handler);

        var error = await Assert.ThrowsAsync<UnreachableException>(() => api.GetAsync("/access/whoami"));

        Assert.Equal(RunbookExit.Unreachable, error.Exit);
        Assert.Equal("Filestore at http://filestore.test:5101/ did not answer GET /access/whoami: Connection refused (filestore.test:5101)", error.Message);
        Assert.Same(refused, error.InnerException);
    }

    [Fact]
    public async Task A_problem_answer_fails_the_check_with_the_problems_detail()
    {
        using var handler = new StubHandler(_ => Problem(HttpStatusCode.Conflict, "not-in-shadow", "billing in production is not in shadow mode."));
        using var api = new ServiceApi("Filestore", Filestore, "some-token", handler);

        var error = await Assert.ThrowsAsync<CheckFailedException>(() => api.CallAsync(HttpMethod.Post, "/envs/production/services/billing/cutover/approval", new { note = "x" }));

        Assert.Equal(RunbookExit.CheckFailed, error.Exit);
        Assert.Equal("Filestore: POST /envs/production/services/billing/cutover/approval answered 409 billing in production is not in shadow mode.", error.Message);
    }

    [Fact]
    public async Task SendAsync_returns_a_refusal_as_an_answer_with_its_problem_kind_and_detail()
    {
        using var handler = new StubHandler(_ => Problem(HttpStatusCode.Conflict, "cutover-gates-failed", "2 gates failed."));
        using var api = new ServiceApi("Filestore", Filestore, "some-token", handler);

        var answer = await api.SendAsync(HttpMethod.Post, "/envs/staging/services/billing/cutover", new { to = "managed" });

        Assert.False(answer.Succeeded);
        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Equal("cutover-gates-failed", answer.ProblemKind);
        Assert.Equal("2 gates failed.", answer.Detail);
    }

    [Fact]
    public async Task Every_call_carries_the_token_as_a_bearer_and_a_command_its_idempotency_key()
    {
        using var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"executed":true}""") });
        using var api = new ServiceApi("billing", Filestore, "billing-app-token", handler);

        var answer = await api.SendAsync(HttpMethod.Post, "/envs/production/services/billing/commands", new { command = "put" }, idempotencyKey: "run-1-0");

        Assert.True(answer.Body.GetProperty("executed").GetBoolean());
        var request = Assert.Single(handler.Requests);
        Assert.Equal(new Uri("http://filestore.test:5101/envs/production/services/billing/commands"), request.RequestUri);
        Assert.Equal(("Bearer", "billing-app-token"), (request.Headers.Authorization?.Scheme, request.Headers.Authorization?.Parameter));
        Assert.Equal(["run-1-0"], request.Headers.GetValues("Idempotency-Key"));
    }
}
