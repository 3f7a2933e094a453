using System.Text.Json;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Dashboards;

public sealed class DashboardLintTests
{
    public static TheoryData<string> DashboardFiles() =>
        [.. Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void The_dashboard_passes_the_linter(string file)
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("dashboards", "grafana", "dashboards", file)));

        Assert.Empty(DashboardLinter.Problems(dashboard.RootElement));
    }

    [Fact]
    public void The_four_cutover_dashboards_exist_with_unique_uids()
    {
        var uids = Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("uid").GetString())
            .ToList();

        Assert.Superset(new HashSet<string?> { "filestore-cutover", "filestore-slo", "filestore-queues", "filestore-consumers" }, uids.ToHashSet());
        Assert.Equal(uids.Count, uids.Distinct().Count());
    }

    [Fact]
    public void The_linter_finds_every_kind_of_problem()
    {
        const string Broken = """
            {
              "uid": "broken", "title": "Broken", "tags": ["cutover"],
              "templating": { "list": [ { "name": "env", "type": "query", "datasource": { "type": "prometheus", "uid": "sandbox-prometheus" } } ] },
              "annotations": { "list": [ { "name": "Modes", "enable": true, "expr": "changes(filestore_cutover_mode[$__rate_interval])" } ] },
              "links": [ { "type": "dashboards", "tags": ["filestore"], "includeVars": true } ],
              "panels": [
                { "id": 1, "title": "", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 }, "fieldConfig": { "defaults": {} },
                  "datasource": { "uid": "other" },
                  "targets": [ { "refId": "A", "expr": "rate(x[5m])", "datasource": { "type": "prometheus", "uid": "other" } } ] },
                { "id": 1, "title": "Second", "description": "d", "gridPos": { "x": 6, "y": 4, "w": 12, "h": 8 },
                  "fieldConfig": { "defaults": { "unit": "s" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" }, "targets": [] }
              ]
            }
            """;
        using var dashboard = JsonDocument.Parse(Broken);

        var problems = DashboardLinter.Problems(dashboard.RootElement, Contract);

        Assert.Equal(
        [
            "the dashboard needs the variable 'datasource' of type datasource with query prometheus",
            $"variable 'env': the datasource must be {Datasource}",
            $"annotation 'Modes': the datasource must be {Datasource}",
            "annotation 'Modes': filestore_cutover_mode has the label 'env' but the query does not filter it by $env (with =~)",
            "a cutover dashboard needs the template variable 'service'",
            "no query uses $env",
            "a cutover dashboard needs an enabled annotation of cutover mode changes: filestore_cutover_transitions_total for manual -> shadow, shadow -> managed, shadow -> manual and no rollback",
            "a cutover dashboard needs an enabled annotation of rollbacks: filestore_cutover_transitions_total for managed -> manual alone",
            "the dashboard needs the tag 'filestore', which the links between the dashboards look for",
            "the dashboard needs a link to the dashboards tagged 'filestore' that keeps the time and the variables",
            "panel id 1 is used twice",
            "panel 1: no title",
            "panel 1: no description",
            "panel 1: no unit",
            $"panel 1: the datasource must be {Datasource}",
            $"panel 1: query A: the datasource must be {Datasource}",
            "panel 1: query A: use [$__rate_interval] instead of [5m]",
            "Second: no queries",
            "Second: overlaps panel 1",
        ], problems);
    }

    [Fact]
    public void A_small_dashboard_that_keeps_every_rule_passes_with_its_row_and_its_deliberate_opt_out()
    {
        var problems = DashboardLinter.Problems(Parse(Dashboard(
            """
            { "id": 1, "type": "row", "title": "A row", "gridPos": { "x": 0, "y": 0, "w": 24, "h": 1 }, "panels": [] },
            {
              "id": 2, "title": "Commands", "description": "d", "gridPos": { "x": 0, "y": 1, "w": 12, "h": 8 },
              "fieldConfig": { "defaults": { "unit": "ops" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "targets": [ { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                             "expr": "sum(rate(filestore_commands_total{env=~\"$env\", service=~\"$service\"}[$__rate_interval]))" } ]
            },
            {
              "id": 3, "title": "Every service", "description": "d", "gridPos": { "x": 12, "y": 1, "w": 12, "h": 8 },
              "unfilteredBy": { "service": "the total across services is the point" },
              "fieldConfig": { "defaults": { "unit": "ops" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "targets": [ { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                             "expr": "sum(rate(filestore_commands_total{env=~\"$env\"}[$__rate_interval])) + max(filestore_outbox_events)" } ]
            }
            """)), Contract);

        Assert.Empty(problems);
    }

    [Fact]
    public void A_query_on_a_metric_with_env_or_service_must_filter_by_the_declared_variable_unless_the_panel_opts_out()
    {
        var problems = DashboardLinter.Problems(Parse(Dashboard(
            """
            {
              "id": 2, "title": "Processed", "description": "d", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 },
              "unfilteredBy": { "env": "" },
              "fieldConfig": { "defaults": { "unit": "ops" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "targets": [
                { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                  "expr": "sum(rate(consumer_events_processed_total[$__rate_interval]))" },
                { "refId": "B", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                  "expr": "histogram_quantile(0.99, sum by (le) (rate(consumer_reconciliation_lag_seconds_bucket{env=\"production\", service=\"$service\"}[$__rate_interval])))" }
              ]
            }
            """)), Contract);

        // An opt-out without a reason does not count, and a plain = on a variable is no filter Grafana can send.
        Assert.Equal(
        [
            "no query uses $env",
            "Processed: query A: consumer_events_processed_total has the label 'env' but the query does not filter it by $env (with =~)",
            "Processed: query A: consumer_events_processed_total has the label 'service' but the query does not filter it by $service (with =~)",
            "Processed: query B: consumer_reconciliation_lag_seconds_bucket has the label 'env' but the query does not filter it by $env (with =~)",
            "Processed: query B: consumer_reconciliation_lag_seconds_bucket has the label 'service' but the query does not filter it by $service (with =~)",
        ], problems);
    }

    [Fact]
    public void A_query_on_an_slo_series_filters_by_the_labels_of_the_slos_it_lets_through()
    {
        var problems = DashboardLinter.Problems(Parse(Dashboard(
            """
            {
              "id": 2, "title": "SLOs", "description": "d", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 },
              "fieldConfig": { "defaults": { "unit": "percentunit" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "targets": [
                { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                  "expr": "slo:sli_error:ratio_rate5m{slo=\"availability\"} + on () slo:objective:ratio{slo=\"command-success\"}" },
                { "refId": "B", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                  "expr": "slo:sli_error:ratio_rate5m{slo=\"reconciliation-lag\", env=~\"$env\"}" },
                { "refId": "C", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                  "expr": "slo:sli_error:ratio_rate5m{slo=~\"availability|reconciliation-lag\"}" },
                { "refId": "D", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                  "expr": "{__name__=~\"slo:burn_rate:rate(5m|1h)\", slo=\"command-success\", env=~\"$env\"}" }
              ]
            }
            """)), Contract);

        // Availability and every objective carry neither label, and reconciliation lag is kept per env, not per service.
        Assert.Equal(
        [
            "SLOs: query C: slo:sli_error:ratio_rate5m has the label 'env' but the query does not filter it by $env (with =~)",
            "SLOs: query D: slo:burn_rate:rate5m has the label 'service' but the query does not filter it by $service (with =~)",
            "SLOs: query D: slo:burn_rate:rate1h has the label 'service' but the query does not filter it by $service (with =~)",
        ], problems);
    }

    [Fact]
    public void A_cutover_dashboard_annotates_the_mode_changes_filestore_counts_and_its_rollbacks_apart()
    {
        var problems = DashboardLinter.Problems(Parse(Dashboard(CommandsPanel, annotations:
            """
            { "name": "Forward", "enable": true, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "expr": "increase(filestore_cutover_transitions_total{env=~\"$env\", service=~\"$service\", to!=\"manual\"}[$__rate_interval]) > 0" },
            { "name": "Every switch", "enable": true, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "expr": "increase(filestore_cutover_transitions_total{env=~\"$env\", service=~\"$service\"}[$__rate_interval]) > 0" },
            { "name": "Back to manual", "enable": true, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "expr": "increase(filestore_cutover_transitions_total{env=~\"$env\", service=~\"$service\", to=\"manual\"}[$__rate_interval]) > 0" },
            { "name": "Rollbacks", "enable": false, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "expr": "increase(filestore_cutover_transitions_total{env=~\"$env\", service=~\"$service\", from=\"managed\"}[$__rate_interval]) > 0" }
            """)), Contract);

        // Forward misses abandoning a shadow run, Every switch shows rollbacks as mode changes, Back to manual takes that
        // abandon for a rollback, and a disabled annotation shows nothing.
        Assert.Equal(
        [
            "a cutover dashboard needs an enabled annotation of cutover mode changes: filestore_cutover_transitions_total for manual -> shadow, shadow -> managed, shadow -> manual and no rollback",
            "a cutover dashboard needs an enabled annotation of rollbacks: filestore_cutover_transitions_total for managed -> manual alone",
        ], problems);
    }

    [Fact]
    public void The_cutover_overview_follows_the_chosen_services_from_publish_to_apply_and_lag_in_its_correlation_row()
    {
        var problems = DashboardLinter.Problems(Parse(Dashboard(
            """
            { "id": 1, "type": "row", "title": "Follow one service's events", "gridPos": { "x": 0, "y": 0, "w": 24, "h": 1 }, "panels": [] },
            {
              "id": 2, "title": "Published", "description": "d", "gridPos": { "x": 0, "y": 1, "w": 8, "h": 8 },
              "fieldConfig": { "defaults": { "unit": "ops" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "targets": [ { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                             "expr": "sum(rate(filestore_events_published_total{env=~\"$env\", service=~\"$service\"}[$__rate_interval]))" } ]
            },
            {
              "id": 3, "title": "Applied", "description": "d", "gridPos": { "x": 8, "y": 1, "w": 8, "h": 8 },
              "unfilteredBy": { "service": "every service at once" },
              "fieldConfig": { "defaults": { "unit": "ops" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "targets": [ { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                             "expr": "sum(rate(consumer_events_processed_total{env=~\"$env\"}[$__rate_interval]))" } ]
            },
            {
              "id": 4, "title": "Outbox", "description": "d", "gridPos": { "x": 16, "y": 1, "w": 8, "h": 8 },
              "fieldConfig": { "defaults": { "unit": "short" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "targets": [ { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" }, "expr": "max(filestore_outbox_events)" } ]
            },
            { "id": 5, "type": "row", "title": "Elsewhere", "gridPos": { "x": 0, "y": 9, "w": 24, "h": 1 }, "panels": [] },
            {
              "id": 6, "title": "Lag", "description": "d", "gridPos": { "x": 0, "y": 10, "w": 24, "h": 8 },
              "fieldConfig": { "defaults": { "unit": "s" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
              "targets": [ { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                             "expr": "histogram_quantile(0.99, sum by (le) (rate(consumer_reconciliation_lag_seconds_bucket{env=~\"$env\", service=~\"$service\"}[$__rate_interval])))" } ]
            }
            """, uid: DashboardLinter.CorrelationDashboard)), Contract);

        // The lag panel sits under the next row, so the correlation row has none.
        Assert.Equal(
        [
            "Applied: a panel of the row 'Follow one service's events' follows the chosen services, so it cannot opt out of $service",
            "Applied: query A: a query of the row 'Follow one service's events' must filter by $service",
            "Outbox: query A: a query of the row 'Follow one service's events' must filter by $service",
            "the row 'Follow one service's events' needs a panel of the reconciliation lag (consumer_reconciliation_lag_seconds_bucket)",
        ], problems);
        Assert.Equal(
            ["the cutover overview needs the row 'Follow one service's events'"],
            DashboardLinter.Problems(Parse(Dashboard(CommandsPanel, uid: DashboardLinter.CorrelationDashboard)), Contract));
    }

    [Fact]
    public void A_dashboard_outside_the_cutover_carries_the_tag_the_links_look_for_and_links_to_the_others_too()
    {
        var problems = DashboardLinter.Problems(Parse(
            $$"""
            {
              "uid": "overview", "title": "Overview", "tags": ["sandbox"],
              "templating": { "list": [ { "name": "datasource", "type": "datasource", "query": "prometheus" } ] },
              "links": [ { "type": "dashboards", "tags": ["sandbox"], "includeVars": true, "keepTime": true } ],
              "panels": [ {{CommandsPanel}} ]
            }
            """), Contract);

        Assert.Equal(
        [
            "the dashboard needs the tag 'filestore', which the links between the dashboards look for",
            "the dashboard needs a link to the dashboards tagged 'filestore' that keeps the time and the variables",
        ], problems);
    }

    [Fact]
    public void The_panels_of_a_collapsed_row_are_linted_too_and_counted_as_panels()
    {
        var dashboard = Parse(Dashboard(
            """
            {
              "id": 1, "type": "row", "title": "Folded", "collapsed": true, "gridPos": { "x": 0, "y": 0, "w": 24, "h": 1 },
              "panels": [ { "id": 2, "title": "Inside", "gridPos": { "x": 0, "y": 1, "w": 24, "h": 8 },
                            "fieldConfig": { "defaults": { "unit": "ops" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
                            "targets": [ { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" }, "expr": "max(filestore_outbox_events)" } ] } ]
            }
            """));

        Assert.Equal(["no query uses $env", "Inside: no description"], DashboardLinter.Problems(dashboard, Contract));
        Assert.Equal(["Inside"], DashboardLinter.Panels(dashboard).Select(p => p.GetProperty("title").GetString()));
    }

    [Fact]
    public void The_metric_labels_come_from_the_contract_table_in_docs_metrics_md()
    {
        var labels = MetricContract.Labels;

        Assert.Equal(["consumer", "env", "outcome", "queue", "service"], labels["consumer_events_processed_total"].Order());
        Assert.Equal(["consumer", "env", "service"], labels["consumer_reconciliation_lag_seconds_bucket"].Order());
        Assert.Equal(["env", "from", "service", "to"], labels[DashboardLinter.TransitionsMetric].Order());
        Assert.Equal(["env", "queue", "service"], labels["filestore_events_published_total"].Order());
        Assert.Equal(["http_response_status_code", "http_route", "job"], labels["http_server_request_duration_seconds_count"].Order());
        Assert.Equal(["check"], labels["health_check_status"].Order());
        Assert.Empty(labels["filestore_fault_added_latency_seconds"]);
        Assert.Equal(["slo", "window"], labels["slo:sli_error:ratio_rate5m{slo=\"availability\"}"].Order());
        Assert.Equal(["env", "service", "slo", "window"], labels["slo:burn_rate:rate30d{slo=\"command-success\"}"].Order());
        Assert.Equal(["consumer", "env", "slo"], labels["slo:error_budget_remaining:ratio{slo=\"reconciliation-lag\"}"].Order());
        Assert.Equal(["slo"], labels["slo:objective:ratio{slo=\"command-success\"}"]);
        Assert.Empty(labels["sandbox:services_up:count"]);
    }

    private const string Datasource = """{"type": "prometheus", "uid": "${datasource}"}""";

    // The contract as far as these tests need it; the real one is read from docs/metrics.md.
    private static readonly Dictionary<string, IReadOnlySet<string>> Contract = new()
    {
        ["filestore_cutover_mode"] = new HashSet<string> { "env", "service", "mode" },
        ["filestore_commands_total"] = new HashSet<string> { "env", "service", "command", "outcome", "mode" },
        ["filestore_outbox_events"] = new HashSet<string>(),
        ["consumer_events_processed_total"] = new HashSet<string> { "consumer", "queue", "outcome", "env", "service" },
        ["consumer_reconciliation_lag_seconds_bucket"] = new HashSet<string> { "consumer", "env", "service", "le" },
        [DashboardLinter.TransitionsMetric] = new HashSet<string> { "env", "service", "from", "to" },
        ["slo:sli_error:ratio_rate5m{slo=\"availability\"}"] = new HashSet<string> { "slo", "window" },
        ["slo:sli_error:ratio_rate5m{slo=\"command-success\"}"] = new HashSet<string> { "slo", "window", "env", "service" },
        ["slo:sli_error:ratio_rate5m{slo=\"reconciliation-lag\"}"] = new HashSet<string> { "slo", "window", "consumer", "env" },
        ["slo:burn_rate:rate5m{slo=\"command-success\"}"] = new HashSet<string> { "slo", "window", "env", "service" },
        ["slo:burn_rate:rate30m{slo=\"command-success\"}"] = new HashSet<string> { "slo", "window", "env", "service" },
        ["slo:burn_rate:rate1h{slo=\"command-success\"}"] = new HashSet<string> { "slo", "window", "env", "service" },
        ["slo:objective:ratio{slo=\"command-success\"}"] = new HashSet<string> { "slo" },
    };

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private const string CommandsPanel = """
        {
          "id": 2, "title": "Commands", "description": "d", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 },
          "fieldConfig": { "defaults": { "unit": "ops" } }, "datasource": { "type": "prometheus", "uid": "${datasource}" },
          "targets": [ { "refId": "A", "datasource": { "type": "prometheus", "uid": "${datasource}" },
                         "expr": "sum(rate(filestore_commands_total{env=~\"$env\", service=~\"$service\"}[$__rate_interval]))" } ]
        }
        """;

    private const string ModeChangesAndRollbacks = """
        { "name": "Cutover mode changes", "enable": true, "datasource": { "type": "prometheus", "uid": "${datasource}" },
          "expr": "increase(filestore_cutover_transitions_total{env=~\"$env\", service=~\"$service\", from!=\"managed\"}[$__rate_interval]) > 0" },
        { "name": "Rollbacks", "enable": true, "datasource": { "type": "prometheus", "uid": "${datasource}" },
          "expr": "increase(filestore_cutover_transitions_total{env=~\"$env\", service=~\"$service\", from=\"managed\", to=\"manual\"}[$__rate_interval]) > 0" }
        """;

    // A cutover dashboard with everything around its panels right: variables, the mode-change and rollback annotations, the links.
    private static string Dashboard(string panels, string annotations = ModeChangesAndRollbacks, string uid = "small") => $$"""
        {
          "uid": "{{uid}}", "title": "Small", "tags": ["filestore", "cutover"],
          "templating": { "list": [
            { "name": "datasource", "type": "datasource", "query": "prometheus" },
            { "name": "env", "type": "query", "datasource": { "type": "prometheus", "uid": "${datasource}" } },
            { "name": "service", "type": "query", "datasource": { "type": "prometheus", "uid": "${datasource}" } }
          ] },
          "annotations": { "list": [ {{annotations}} ] },
          "links": [ { "type": "dashboards", "tags": ["filestore"], "includeVars": true, "keepTime": true } ],
          "panels": [ {{panels}} ]
        }
        """;
}
