using FilestoreStub.Paths;
using FilestoreStub.Roots;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Roots;

[Collection(RedisCollection.Name)]
public sealed class ManagedRootTests(RedisServer redis) : FilestoreTest(redis)
{

    public override Task InitializeAsync()
    {
        _ = App.Server; // starts the host, which prepares the roots
        return Task.CompletedTask;
    }

    [Fact]
    public void Every_onboarded_service_gets_a_root_per_environment_with_sample_files_to_migrate()
    {
        foreach (var env in new[] { "staging", "production" })
        {
            foreach (var service in new[] { "billing", "reports" })
            {
                var root = Path.Combine(App.DataDirectory, env, service);
                Assert.True(File.Exists(Path.Combine(root, "2026", "11", "summary.csv")), $"{env}/{service} has no samples");
                Assert.Contains(service, File.ReadAllText(Path.Combine(root, "README.txt")), StringComparison.Ordinal);
            }
        }

        Assert.Equal(["production", "staging"], Directory.GetDirectories(App.DataDirectory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_restart_never_seeds_over_files_that_are_there()
    {
        var readme = Path.Combine(App.DataDirectory, "staging", "billing", "README.txt");
        var extra = Path.Combine(App.DataDirectory, "staging", "reports", "2026", "11", "summary.csv");
        File.WriteAllText(readme, "changed by the service");
        File.Delete(extra);
        await App.StopAsync();

        await using var restarted = new FilestoreApp(Redis, App.DataDirectory);
        _ = restarted.Server;

        Assert.Equal("changed by the service", File.ReadAllText(readme));
        Assert.False(File.Exists(extra), "a root with files in it was seeded again");
    }

    [Fact]
    public void Paths_resolve_inside_the_service_root_and_hostile_ones_are_refused()
    {
        var roots = App.Services.GetRequiredService<ManagedRoots>();

        var path = roots.Resolve("production", "reports", "2026/11/summary.csv");

        Assert.Equal(Path.Combine(App.DataDirectory, "production", "reports", "2026", "11", "summary.csv"), path.FullPath);
        Assert.Throws<PathRejectedException>(() => roots.Resolve("production", "reports", "../billing/README.txt"));
        Assert.Throws<ArgumentException>(() => roots.RootOf("qa", "reports"));
        Assert.Throws<ArgumentException>(() => roots.RootOf("staging", "payroll"));
    }
}
