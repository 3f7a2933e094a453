using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sandbox.AppHost;

/// <summary>
/// Waits until every resource is healthy, then prints one table of addresses and writes the same to
/// <c>&lt;state dir&gt;/endpoints.json</c>, so people and scripts (the drill tool, the runbook) can find the sandbox.
/// </summary>
internal sealed class SandboxAddressBook(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    SandboxSettings sandbox,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<SandboxAddressBook> logger) : BackgroundService
{
    private const string AspireDashboardName = "aspire-dashboard";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);

    public string EndpointsFile => Path.Combine(sandbox.StateDirectory, SandboxAddresses.FileName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A file from an earlier run would send scripts to ports that are gone.
        File.Delete(EndpointsFile);

        var resources = model.Resources.Where(IsShownToPeople).ToList();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(ReadyTimeout);
        var pending = new HashSet<string>(resources.Select(r => r.Name));
        try
        {
            await Task.WhenAll(resources.Select(async resource =>
            {
                await notifications.WaitForResourceHealthyAsync(resource.Name, timeout.Token);
                lock (pending)
                {
                    pending.Remove(resource.Name);
                }
            }));
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            var stillPending = string.Join(", ", pending.Order());
            SandboxLog.SandboxNotReady(logger, ReadyTimeout, stillPending);
            return;
        }

        var addresses = new SandboxAddresses(
            sandbox.RuntimeName, time.GetUtcNow(), await CollectAsync(resources, stoppingToken), CollectDashboards());
        var json = JsonSerializer.Serialize(addresses, SandboxAddresses.Json);
        // Written whole, then renamed: a script polling for the file never reads half of it.
        var partial = EndpointsFile + ".partial";
        await File.WriteAllTextAsync(partial, json, stoppingToken);
        File.Move(partial, EndpointsFile, overwrite: true);
        var table = addresses.Table();
        SandboxLog.SandboxReady(logger, EndpointsFile, table);
    }

    private async Task<Dictionary<string, SandboxAddress>> CollectAsync(List<IResource> resources, CancellationToken ct)
    {
        var book = new Dictionary<string, SandboxAddress>();
        // The dashboard's URL comes from the AppHost's own ASPNETCORE_URLS; it is there only when the dashboard runs.
        if (model.Resources.Any(r => r.Name == AspireDashboardName) && configuration["ASPNETCORE_URLS"] is { Length: > 0 } dashboardUrls)
        {
            book["dashboard"] = new SandboxAddress(dashboardUrls.Split(';')[0]);
        }

        foreach (var resource in resources)
        {
            if (resource is IResourceWithConnectionString withConnectionString)
            {
                var connectionString = await withConnectionString.GetConnectionStringAsync(ct);
                var hostAndPort = connectionString?.Split(',')[0];
                book[resource.Name] = new SandboxAddress($"redis://{hostAndPort}", connectionString);
            }
            else if (resource is IResourceWithEndpoints withEndpoints
                     && withEndpoints.GetEndpoint("http") is { Exists: true } http)
            {
                // Filestore's operator token goes with its address: the runbook's calls need both.
                var token = resource.TryGetLastAnnotation<OperatorTokenAnnotation>(out var annotation) ? annotation.Token : null;
                book[resource.Name] = new SandboxAddress(http.Url, OperatorToken: token is null ? null : await token.GetValueAsync(ct));
            }
        }

        if (sandbox.Runtime == RuntimeMode.Executables)
        {
            book["grafana"] = new SandboxAddress(null, Skipped: "executables mode has no container runtime; Grafana runs only as a container");
        }

        return book;
    }

    // Keyed by the dashboard's uid, which Grafana's address uses too.
    private Dictionary<string, DashboardAddress> CollectDashboards()
    {
        var prometheus = model.Resources.OfType<ISandboxPrometheusResource>().FirstOrDefault();
        if (prometheus is null || !prometheus.TryGetLastAnnotation<DashboardViewsAnnotation>(out var views))
        {
            return [];
        }

        var prometheusUrl = new Uri(prometheus.GetEndpoint(PrometheusExtensions.EndpointName).Url);
        var grafana = model.Resources.OfType<IResourceWithEndpoints>().FirstOrDefault(r => r.Name == "grafana")?.GetEndpoint(GrafanaExtensions.EndpointName);
        return views.Views.ToDictionary(
            view => view.Uid,
            view => new DashboardAddress(view.Title, views.Urls(prometheusUrl, view), grafana is { IsAllocated: true } ? GrafanaExtensions.DashboardUrl(grafana.Url, view.Uid) : null));
    }

    // Parameters, Aspire's own resources (its dashboard, the project rebuilders) and anything started only on request
    // are not part of "the sandbox is up".
    private static bool IsShownToPeople(IResource resource) =>
        resource is not ParameterResource
        && resource.Name != AspireDashboardName
        && !resource.HasAnnotationOfType<ExplicitStartupAnnotation>()
        && !(resource.TryGetLastAnnotation<ResourceSnapshotAnnotation>(out var snapshot) && snapshot.InitialSnapshot.IsHidden);
}
