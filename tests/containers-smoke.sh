#!/usr/bin/env bash
# Smoke test of containers mode, for a machine with Docker or Podman (found in that order; ASPIRE_CONTAINER_RUNTIME picks one):
# starts the sandbox with --Sandbox:Runtime=containers, waits until it writes <state dir>/endpoints.json (every
# resource healthy), then runs the checks in tests/containers-smoke.cs: Redis's appendonly and maxmemory-policy,
# every Prometheus target up, Grafana listing every dashboard and answering every panel query. Stops the sandbox on
# exit. Without an answering engine it says so and exits 0 without running anything.
#
# Written on a machine without a container engine: the script and its checks ran end to end against stand-ins (a
# local Redis and Prometheus, a fake Grafana serving the real dashboards), but not yet against real containers.
#
# Settings: SANDBOX_DIR (state directory, default .sandbox), SMOKE_TIMEOUT (seconds to wait for endpoints.json, default 300).
set -euo pipefail
cd "$(dirname "$0")/.."
source AppHost/prerequisites.sh

if ! engine="$(sandbox_container_engine)"; then
  echo "containers-smoke: no container engine answers (asked: ${ASPIRE_CONTAINER_RUNTIME:-docker podman}); nothing was run"
  exit 0
fi
# The AppHost is told which engine to drive: with --Sandbox:Runtime=containers it does not probe for one.
export ASPIRE_CONTAINER_RUNTIME="$engine"

state="${SANDBOX_DIR:-.sandbox}"
endpoints="$state/endpoints.json"
log="$state/containers-smoke.log"
mkdir -p "$state"
# An endpoints.json from an earlier run would pass for this one until the AppHost deletes it.
rm -f "$endpoints"

# Build the checks first, so a compile error shows before anything starts.
dotnet build -v q -nologo tests/containers-smoke.cs

# The AppHost gives up waiting for healthy resources after 3 minutes; a first run's image pulls can take longer.
image() { sed -n "s/.*const string $1 = \"\(.*\)\";/\1/p" AppHost/Sandbox/ContainerImages.cs; }
for name in Redis Prometheus Grafana; do
  "$engine" pull --quiet "$(image Registry)/$(image "$name"):$(image "${name}Tag")" >/dev/null
done

# Job control gives the sandbox a process group of its own: stopping it is a Ctrl-C to that group, as in a terminal.
set -m
AppHost/start.sh --Sandbox:Runtime=containers "--Sandbox:StateDirectory=$state" >"$log" 2>&1 &
apphost=$!
set +m

stop_sandbox() {
  kill -INT -- "-$apphost" 2>/dev/null || return 0
  for _ in $(seq 60); do
    kill -0 "$apphost" 2>/dev/null || return 0
    sleep 1
  done
  echo "containers-smoke: the sandbox did not stop within 60 s; killing it (check '$engine ps' for leftovers)"
  kill -KILL -- "-$apphost" 2>/dev/null || true
}
trap stop_sandbox EXIT

echo "containers-smoke: starting the sandbox in containers mode (log: $log)"
deadline=$((SECONDS + ${SMOKE_TIMEOUT:-300}))
until [ -s "$endpoints" ]; do
  if ! kill -0 "$apphost" 2>/dev/null; then
    echo "containers-smoke: the AppHost exited before every resource was healthy; the end of its log:"
    tail -n 30 "$log"
    exit 1
  fi
  # The AppHost stops waiting for health after 3 minutes and says which resources it still waits on.
  if grep -q "did not become healthy within" "$log"; then
    echo "containers-smoke: the sandbox did not become healthy:"
    grep -m1 "did not become healthy within" "$log"
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "containers-smoke: no $endpoints after ${SMOKE_TIMEOUT:-300} s (a resource is not healthy); the end of the log:"
    tail -n 30 "$log"
    exit 1
  fi
  sleep 2
done
sleep 1 # the AppHost may still be writing the file

dotnet run tests/containers-smoke.cs -- check "$state"
