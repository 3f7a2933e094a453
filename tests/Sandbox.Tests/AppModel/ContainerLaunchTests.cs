#pragma warning disable ASPIRECERTIFICATES001 // HttpsCertificateAnnotation: how the sandbox keeps Redis off TLS

using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Sandbox.AppHost;
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
    public async Task Prometheus_reads_the_generated_configuration_through_its_bind_mount()
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
        Assert.Empty(prometheus.Environment);
        var config = prometheus.BindMountAt("/etc/prometheus/sandbox");
        Assert.True(config.IsReadOnly);

        await WriteScrapeConfigurationAsync(("filestore", 40001), ("metastore", 40002), ("timestore", 40003));

        Assert.True(File.Exists(Path.Combine(config.Source!, PrometheusConfig.FileName)));
    }

    [Fact]
    public async Task Prometheus_loads_the_rule_files_from_the_rules_bind_mount()
    {
        var prometheus = await LaunchAsync("prometheus");
        var config = await WriteScrapeConfigurationAsync(("filestore", 40001), ("metastore", 40002), ("timestore", 40003));

        var ruleFiles = Assert.Single(((YamlSequenceNode)config["rule_files"]).Children).ToString();

        Assert.Equal("/etc/prometheus/rules/*.yml", ruleFiles);
        var rules = prometheus.BindMountAt(Path.GetDirectoryName(ruleFiles)!);
        Assert.Equal(Repository.PathOf("dashboards", "prometheus", "rules"), rules.Source);
        Assert.NotEmpty(Directory.GetFiles(rules.Source!, Path.GetFileName(ruleFiles)));
    }

    [Fact]
    public async Task Prometheus_scrapes_itself_inside_and_the_services_on_the_host()
    {
        var prometheus = await LaunchAsync("prometheus");
        var config = await WriteScrapeConfigurationAsync(("filestore", 40001), ("metastore", 40002), ("timestore", 40003));

        var targets = ((YamlSequenceNode)config["scrape_configs"]).Children.ToDictionary(
            job => job["job_name"].ToString(),
            job => Assert.Single(((YamlSequenceNode)job["static_configs"][0]["targets"]).Children).ToString());

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["prometheus"] = "127.0.0.1:9090",
                ["filestore"] = "host.docker.internal:40001",
                ["metastore"] = "host.docker.internal:40002",
                ["timestore"] = "host.docker.internal:40003",
            },
            targets);
        // Docker Desktop knows host.docker.internal; Linux engines learn it from this.
        Assert.Equal(["--add-host=host.docker.internal:host-gateway"], prometheus.RuntimeArgs);
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
    /// Gives the services the host ports DCP would allocate, then raises the event before which the AppHost writes
    /// Prometheus's configuration, and reads the file it wrote.
    /// </summary>
    private async Task<YamlMappingNode> WriteScrapeConfigurationAsync(params (string Service, int Port)[] ports)
    {
        foreach (var (service, port) in ports)
        {
            var http = Builder.Resource(service).Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
            http.AllocatedEndpoint = new AllocatedEndpoint(http, "localhost", port);
        }

        var prometheus = (ISandboxPrometheusResource)Builder.Resource("prometheus");
        await using var services = new ServiceCollection().BuildServiceProvider();
        using var timeout = new CancellationTokenSource(Waits.Request);
        await Builder.Eventing.PublishAsync(new BeforeResourceStartedEvent(prometheus, services), timeout.Token);

        return (YamlMappingNode)LoadYaml(prometheus.Layout.HostConfigFile);
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
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The stand-in is a shell script.");
        }

        using var bin = new TempDirectory("shell");
        var standIn = Path.Combine(bin.Path, program);
        await File.WriteAllTextAsync(standIn, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserExecute);

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
