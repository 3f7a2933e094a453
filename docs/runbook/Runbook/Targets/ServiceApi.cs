using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Runbook.Targets;

/// <summary>An answer of a service's API: the status, the JSON body (default when empty) and, for a problem, its kind and detail.</summary>
public sealed record ApiAnswer(HttpStatusCode Status, JsonElement Body)
{
    public bool Succeeded => (int)Status is >= 200 and < 300;

    /// <summary>The last segment of the problem's <c>type</c> (<c>cutover-gates-failed</c>), or null.</summary>
    public string? ProblemKind => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("type", out var t) && t.GetString() is { } type
        ? type[(type.LastIndexOf('/') + 1)..]
        : null;

    public string Detail => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("detail", out var d) && d.GetString() is { Length: > 0 } detail
        ? detail
        : Body.ValueKind == JsonValueKind.Undefined ? string.Empty : Body.ToString();
}

/// <summary>
/// One service's HTTP API (Filestore, a consumer, Prometheus) as the runbook calls it: every failure becomes the
/// one-line error an operator can act on, naming the service and the call.
/// </summary>
public sealed class ServiceApi : IDisposable
{
    /// <summary>How long a call may take unless the caller says otherwise (a rollback's drain takes longer).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);
    private readonly HttpClient _http;

    /// <summary>How long monitoring may take to answer: a Prometheus that hangs must not hold up a check for minutes.</summary>
    public static readonly TimeSpan MonitoringTimeout = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _timeout;

    public ServiceApi(string name, Uri baseAddress, string? token = null, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
    {
        Name = name;
        _timeout = timeout ?? RequestTimeout;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        // Each call sets its own deadline (SendAsync's timeout): a rollback waits for its drain, a health check does not.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public string Name { get; }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Sends the call and returns whatever the service answered; only an unreachable service or a refused token throw.</summary>
    public async Task<ApiAnswer> SendAsync(
        HttpMethod method, string path, object? body = null, HttpContent? content = null, string? idempotencyKey = null, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var limit = timeout ?? _timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        using var request = new HttpRequestMessage(method, path) { Content = content ?? (body is null ? null : JsonContent.Create(body)) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, deadline.Token);
        }
        catch (HttpRequestException e)
        {
            throw new UnreachableException($"{Name} at {BaseAddress} did not answer {method} {path}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new UnreachableException($"{Name} at {BaseAddress} did not answer {method} {path} within {limit.TotalSeconds:0} s.", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            JsonElement json;
            try
            {
                json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                json = JsonSerializer.SerializeToElement(text);
            }

            var answer = new ApiAnswer(response.StatusCode, json);
            // A command the policy does not allow is the caller's check to judge (403 policy-denied), not a refused token.
            if (response.StatusCode is HttpStatusCode.Unauthorized || (response.StatusCode is HttpStatusCode.Forbidden && answer.ProblemKind != "policy-denied"))
            {
                throw new NotAuthorisedException($"{Name} refused the token for {method} {path}: {(int)response.StatusCode} {answer.Detail}".TrimEnd());
            }

            return answer;
        }
    }

    /// <summary>Sends the call and returns the JSON answer; any answer but 2xx fails the check with the service's own words.</summary>
    public async Task<JsonElement> CallAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default)
    {
        var answer = await SendAsync(method, path, body, ct: ct);
        return answer.Succeeded
            ? answer.Body
            : throw new CheckFailedException($"{Name}: {method} {path} answered {(int)answer.Status} {answer.Detail}".TrimEnd());
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct = default) => CallAsync(HttpMethod.Get, path, null, ct);

    public void Dispose() => _http.Dispose();
}
