#pragma warning disable ASPIRECERTIFICATES001 // HttpsCertificateAnnotation: how the sandbox keeps Redis off TLS

using System.Diagnostics;
using System.Reflection;
using Aspire.Hosting.ApplicationModel;
using Sandbox.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Sandbox.Tests.AppModel;

/// <summary>
/// What each container would really be started with (<see cref="ContainerLaunch"/>): no engine runs here, so the
/// contract (Redis keeps its data, Prometheus finds its configuration, rules and targets, Grafana its datasource and
/// dashboards) is checked on the rendered command lines, environment, mounts and generated files.
/// </summary>
public sealed class ContainerLaunchTests() : ModelTest("containers")
{
    // The name Aspire's container tunnel answers to inside the container network.
    private const string ContainerNetworkHost = "aspire.dev.internal";

    // Aspire 13.6 starts Redis through /bin/sh and joins its arguments into one -c string; the password comes from
    // REDIS_PASSWORD, and --save 60 1 from WithDataBindMount (Aspire's WithPersistence).
    private const string RedisShellCommand =
        "redis-server --requirepass $REDIS_PASSWORD --save 60 1 --appendonly yes --maxmemory-policy noeviction";

    [Fact]
    public async Task Redis_runs_one_shell_string_with_the_password_from_the_environment()
    {
        var redis = await LaunchAsync("redis");

        Assert.Equal("/bin/sh", redis.Entrypoint);
        AssertShellCommand(RedisShellCommand, redis.Args);
        Assert.Equal("{redis-password.value}", redis.Environment["REDIS_PASSWORD"]);
    }

    [Fact]
    public void The_shell_command_is_rendered_as_the_aspire_in_use_renders_it()
    {
        // A new Aspire may join a shell-executed container's arguments differently: read its ContainerCreator again,
        // update ContainerLaunch if it changed, then ShellJoinReadIn.
        var aspire = typeof(ContainerResource).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.Equal(ContainerLaunch.ShellJoinReadIn, aspire.Split('+')[0]);
    }

    [Fact]
    public async Task Redis_server_gets_append_only_persistence_and_noeviction_as_its_own_arguments()
    {
        var redis = await LaunchAsync("redis");
        var password = (await ((RedisResource)Builder.Resource("redis")).PasswordParameter!.GetValueAsync(default))!;

        // The shell, not a reading of the string, decides what redis-server receives.
        var argv = await RunShellAsync(redis.Args, "redis-server", ("REDIS_PASSWORD", password));

        Assert.Equal(["--requirepass", password, "--save", "60", "1", "--appendonly", "yes", "--maxmemory-policy", "noeviction"], argv);
    }

    [Fact]
    public async Task Redis_keeps_its_data_in_the_state_directory()
    {
        // The official image runs redis-server in /data, its working directory, where the AOF and RDB files go.
        var data = (await LaunchAsync("redis")).BindMountAt("/data");

        Assert.Equal(Path.Combine(StateDirectory, "redis", "container-data"), data.Source);
        Assert.False(data.IsReadOnly);
        Assert.True(Directory.Exists(data.Source));
    }

    [Fact]
    public async Task Redis_is_started_the_same_on_a_laptop_with_a_trusted_developer_certificate()
    {
        var certificates = DeveloperCertificates.Trusted();
        var redis = await LaunchAsync("redis", certificates);

        // The certificate is in play: a container that does not opt out is told where to find it.
        Assert.Contains("SSL_CERT_DIR", (await LaunchAsync("grafana", certificates)).Environment.Keys);
        AssertShellCommand(RedisShellCommand, redis.Args);
        Assert.Equal(["REDIS_PASSWORD"], redis.Environment.Keys);
        // Without this Aspire would also move Redis's endpoint to TLS just before start.
        var https = Builder.Resource("redis").Annotations.OfType<HttpsCertificateAnnotation>().Last();
        Assert.False(https.UseDeveloperCertificate);
        Assert.Null(https.Certificate);
    }

    [Fact]
    public async Task Prometheus_reads_the_configuration_aspire_creates_in_the_container()
    {
        var prometheus = await LaunchAsync("prometheus");

        Assert.Null(prometheus.Entrypoint);
        Assert.Equal(
            [
                "--config.file=/etc/prometheus/sandbox/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--web.enable-lifecycle",
                "--web.enable-admin-api",
                "--log.level=warn",
                "--web.listen-address=:9090",
            ],
            prometheus.Args);

        var files = await CreatedFilesAsync(("filestore", 40001), ("metastore", 40002), ("timestore", 40003));

        Assert.Equal(["/etc/prometheus/sandbox/prometheus.yml"], files.Keys);
        // Only the rules come from the host: the configuration names addresses that exist only once the app runs.
        Assert.Equal(["/etc/prometheus/rules"], prometheus.BindMounts.Select(m => m.Target));
    }

    [Fact]
    public async Task Prometheus_loads_the_rule_files_from_the_rules_bind_mount()
    {
        var prometheus = await LaunchAsync("prometheus");
        var config = await ScrapeConfigurationAsync(("filestore", 40001), ("metastore", 40002), ("timestore", 40003));

        var ruleFiles = Assert.Single(((YamlSequenceNode)config["rule_files"]).Children).ToString();

        Assert.Equal("/etc/prometheus/rules/*.yml", ruleFiles);
        var rules = prometheus.BindMountAt(Path.GetDirectoryName(ruleFiles)!);
        Assert.Equal(Repository.PathOf("dashboards", "prometheus", "rules"), rules.Source);
        Assert.True(rules.IsReadOnly);
        Assert.NotEmpty(Directory.GetFiles(rules.Source!, Path.GetFileName(ruleFiles)));
    }

    [Fact]
    public async Task Prometheus_scrapes_itself_inside_and_each_service_where_aspire_s_container_network_reaches_it()
    {
        var prometheus = await LaunchAsync("prometheus");
        var config = await ScrapeConfigurationAsync(("filestore", 40001), ("metastore", 40002), ("timestore", 40003));

        var targets = ((YamlSequenceNode)config["scrape_configs"]).Children.ToDictionary(
            job => job["job_name"].ToString(),
            job => Assert.Single(((YamlSequenceNode)job["static_configs"][0]["targets"]).Children).ToString());

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["prometheus"] = "127.0.0.1:9090",
                ["filestore"] = $"{ContainerNetworkHost}:40001",
                ["metastore"] = $"{ContainerNetworkHost}:40002",
                ["timestore"] = $"{ContainerNetworkHost}:40003",
            },
            targets);
        // No host.docker.internal of our own: a service's host port is bound to localhost, out of a Linux engine's reach.
        Assert.Empty(prometheus.RuntimeArgs);
    }

    [Fact]
    public async Task Aspire_gives_prometheus_a_way_to_each_service_it_scrapes()
    {
        // Aspire's container creator tunnels into the container network exactly the host resources a container
        // depends on directly (its references, waits and parent); Prometheus is created after that.
        var prometheus = Builder.Resource("prometheus");
        var execution = new Aspire.Hosting.DistributedApplicationExecutionContext(Aspire.Hosting.DistributedApplicationOperation.Run);
        using var timeout = new CancellationTokenSource(Waits.Request);

        var dependencies = await prometheus.GetResourceDependenciesAsync(execution, ResourceDependencyDiscoveryMode.DirectOnly, timeout.Token);

        Assert.Equal(["filestore", "metastore", "timestore"], dependencies.Select(d => d.Name).Order());
        Assert.Equal("{filestore.bindings.http.url}", (await LaunchAsync("prometheus")).Environment["services__filestore__http__0"]);
    }

    [Fact]
    public async Task Grafana_gets_its_datasource_address_from_the_prometheus_endpoint()
    {
        var grafana = await LaunchAsync("grafana");
        var provisioning = grafana.BindMountAt("/etc/grafana/provisioning");

        var urls = Directory.GetFiles(Path.Combine(provisioning.Source!, "datasources"), "*.yml")
            .SelectMany(file => LoadYaml(file)["datasources"] is YamlSequenceNode list ? list.Children : [])
            .Select(datasource => datasource["url"].ToString());

        Assert.Equal(["${PROMETHEUS_URL}"], urls);
        Assert.Equal("{prometheus.bindings.http.url}", grafana.Environment["PROMETHEUS_URL"]);
        Assert.True(provisioning.IsReadOnly);
    }

    [Fact]
    public async Task Grafana_loads_the_dashboards_from_where_they_are_mounted_and_opens_on_the_sandbox_overview()
    {
        var grafana = await LaunchAsync("grafana");
        var provisioning = grafana.BindMountAt("/etc/grafana/provisioning");

        var provider = Assert.Single(Directory.GetFiles(Path.Combine(provisioning.Source!, "dashboards"), "*.yml")
            .SelectMany(file => ((YamlSequenceNode)LoadYaml(file)["providers"]).Children));
        var target = provider["options"]["path"].ToString();
        var dashboards = grafana.BindMountAt(target);
        var home = grafana.Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"];

        Assert.Equal(Repository.PathOf("dashboards", "grafana", "dashboards"), dashboards.Source);
        Assert.NotEmpty(Directory.GetFiles(dashboards.Source!, "*.json"));
        Assert.StartsWith(target + "/", home, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dashboards.Source!, home[(target.Length + 1)..])), $"no {home} in {dashboards.Source}");
    }

    // Compared as strings so a failure shows the whole command.
    private static void AssertShellCommand(string expected, IReadOnlyList<string> args)
    {
        Assert.Equal(2, args.Count);
        Assert.Equal("-c", args[0]);
        Assert.Equal(expected, args[1]);
    }

    [Fact]
    public async Task Grafana_is_started_with_anonymous_viewers_the_prometheus_address_and_a_generated_admin_password()
    {
        var grafana = await LaunchAsync("grafana");

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["PROMETHEUS_URL"] = "{prometheus.bindings.http.url}",
                ["GF_AUTH_ANONYMOUS_ENABLED"] = "true",
                ["GF_AUTH_ANONYMOUS_ORG_ROLE"] = "Viewer",
                ["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"] = "/var/lib/grafana/dashboards/sandbox-overview.json",
                ["GF_SECURITY_ADMIN_PASSWORD"] = "{grafana-admin-password.value}",
            },
            grafana.Environment);
        Assert.Empty(grafana.Args);
        Assert.Null(grafana.Entrypoint);
    }

    [Fact]
    public async Task Each_container_listens_where_its_endpoint_points()
    {
        // redis-server and Grafana listen on their defaults (no --port, no GF_SERVER_HTTP_PORT); Prometheus is told.
        Assert.Equal(6379, TargetPort("redis", "tcp"));
        Assert.DoesNotContain("--port", (await LaunchAsync("redis")).Args[1].Split(' '));
        Assert.Equal(3000, TargetPort("grafana", "http"));
        Assert.DoesNotContain("GF_SERVER_HTTP_PORT", (await LaunchAsync("grafana")).Environment.Keys);
        Assert.Contains($"--web.listen-address=:{TargetPort("prometheus", "http")}", (await LaunchAsync("prometheus")).Args);
    }

    private int? TargetPort(string resource, string endpoint) =>
        Builder.Resource(resource).Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpoint).TargetPort;

    private async Task<ContainerLaunch> LaunchAsync(string name, DeveloperCertificates? certificates = null) =>
        await ContainerLaunch.RenderAsync((ContainerResource)Builder.Resource(name), certificates ?? DeveloperCertificates.None);

    /// <summary>
    /// Gives the services the addresses DCP would allocate: on the host (a different port, so a test sees which one
    /// was used) and in the container network, where Aspire's tunnel answers for them.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> CreatedFilesAsync(params (string Service, int Port)[] ports)
    {
        foreach (var (service, port) in ports)
        {
            var http = Builder.Resource(service).Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
            http.AllocatedEndpoint = new AllocatedEndpoint(http, "localhost", port + 10000);
            http.AllAllocatedEndpoints.AddOrUpdateAllocatedEndpoint(
                KnownNetworkIdentifiers.DefaultAspireContainerNetwork,
                new AllocatedEndpoint(http, ContainerNetworkHost, port, EndpointBindingMode.SingleAddress, null, KnownNetworkIdentifiers.DefaultAspireContainerNetwork));
        }

        return await ContainerLaunch.CreatedFilesAsync((ContainerResource)Builder.Resource("prometheus"));
    }

    private async Task<YamlMappingNode> ScrapeConfigurationAsync(params (string Service, int Port)[] ports)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(Assert.Single((await CreatedFilesAsync(ports)).Values)));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlNode LoadYaml(string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(file);
        yaml.Load(reader);
        return yaml.Documents[0].RootNode;
    }

    /// <summary>Runs a <c>/bin/sh</c> argument list with a stand-in for <paramref name="program"/> that prints its arguments.</summary>
    private static async Task<string[]> RunShellAsync(IReadOnlyList<string> shellArgs, string program, params (string Name, string Value)[] environment)
    {
        using var bin = new StandInPrograms("shell");
        bin.Add(program, "printf '%s\\n' \"$@\"");

        var start = new ProcessStartInfo("/bin/sh");
        foreach (var arg in shellArgs)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var run = await ProgramRun.RunAsync(start, Waits.Request);
        Assert.Equal(0, run.ExitCode);
        return run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
