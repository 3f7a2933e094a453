#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need (redis-server, prometheus with promtool, Node.js and the
# pinned bullmq npm package for the interop tests, the queue board's npm packages, Chromium for the dashboard views'
# browser test), builds, runs every test project, and ends with one line "tests: N passed, N failed". Exits non-zero
# on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source AppHost/prerequisites.sh

sandbox_install_executables_prerequisites
sandbox_install_test_prerequisites
sandbox_install_queue_board_prerequisites

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Sandbox.sln --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# With normal verbosity dotnet test ends each test project with "Total tests: T", "Passed: P" and, when
# non-zero, "Failed: F" and "Skipped: S" lines; add them up into one closing line.
awk '/^ *Total tests: [0-9]+$/ { projects++ }
     /^ *Passed: [0-9]+$/      { passed += $2 }
     /^ *Failed: [0-9]+$/      { failed += $2 }
     /^ *Skipped: [0-9]+$/     { skipped += $2 }
     END {
       if (projects == 0) { print "tests: the runner printed no summary (did the build fail?)"; exit }
       printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped
     }' "$log"
exit "$status"
