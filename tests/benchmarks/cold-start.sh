#!/usr/bin/env bash
# Cold start of the sandbox in executables mode: from launching the already-built AppHost (no sandbox process
# running) until every resource is healthy, which is when the AppHost writes endpoints.json. Prints each run and
# the median in seconds. Usage: tests/benchmarks/cold-start.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
deadline_seconds=180

source AppHost/prerequisites.sh
sandbox_install_queue_board_prerequisites
dotnet build Sandbox.sln -nologo -v quiet >/dev/null
# As AppHost/start.sh starts it: the built AppHost with its launch profile's settings, no `dotnet run` wrapper.
sandbox_export_launch_profile

times=()
for run in $(seq "$runs"); do
  state="$(mktemp -d)"
  start_ns=$(date +%s%N)
  setsid dotnet AppHost/bin/Debug/net10.0/AppHost.dll \
    --Sandbox:Runtime=executables --Sandbox:StateDirectory="$state" --Sandbox:Ports:Prometheus=0 \
    >"$state/apphost.log" 2>&1 &
  pid=$!
  while [ ! -f "$state/endpoints.json" ]; do
    if (( ($(date +%s%N) - start_ns) / 1000000000 > deadline_seconds )); then
      echo "run $run: not healthy within ${deadline_seconds} s; log: $state/apphost.log" >&2
      kill -KILL -- "-$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.05
  done
  end_ns=$(date +%s%N)
  seconds=$(awk -v ns=$((end_ns - start_ns)) 'BEGIN { printf "%.1f", ns / 1e9 }')
  times+=("$seconds")
  echo "run $run: ${seconds} s to all healthy"

  # SIGTERM to the AppHost stops it gracefully, Redis and Prometheus included; SIGINT would be ignored, as bash
  # starts background jobs of a script with SIGINT ignored.
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$state"
done

median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
echo "cold start to all healthy (executables mode, $(nproc) cores): median ${median} s over ${runs} runs"
