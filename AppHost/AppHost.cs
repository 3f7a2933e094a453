using Sandbox.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Runtime mode (containers or executables), state directory and ports; see README "Modes".
var sandbox = builder.AddSandbox();

var redis = builder.AddSandboxRedis("redis", sandbox);

var filestore = builder.AddFilestoreStub("filestore", sandbox)
    .WithReference(redis).WaitFor(redis)
    .WithOperatorCommands(sandbox);

var metastore = builder.AddSampleConsumer("metastore", ConsumerRole.Metastore, filestore, sandbox)
    .WithReference(redis).WaitFor(redis);

var timestore = builder.AddSampleConsumer("timestore", ConsumerRole.Timestore, filestore, sandbox)
    .WithReference(redis).WaitFor(redis);

builder.AddQueueBoard("queue-board", sandbox, redis, "metastore-events", "timestore-events");

var prometheus = builder.AddSandboxPrometheus("prometheus", sandbox)
    .WithScrapeTargets(filestore, metastore, timestore)
    .WithDashboardViews(sandbox);

builder.AddSandboxGrafana("grafana", sandbox, prometheus);

builder.Build().Run();
