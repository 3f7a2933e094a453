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
# Build first, then run the four test projects at once (-m:4): run by `dotnet test` alone, each waits for a free
# build node, so on two cores at most two ran together and the quick ones queued behind the builds.
{ dotnet build Sandbox.sln -nologo -v quiet -clp:ErrorsOnly \
    && dotnet test Sandbox.sln --no-build -m:4 --logger "console;verbosity=normal"; } 2>&1 | tee "$log" || status=$?

# With normal verbosity dotnet test prints "  Failed <test> [time]" for each failed test and ends each test project
# with "Total tests: T", "Passed: P" and, when non-zero, "Failed: F" and "Skipped: S" lines. The failed tests, each
# with the first line of its error message, are repeated at the end (a log's tail is often all that is kept), then one
# closing line adds the counts up.
awk 'message { sub(/^ +/, ""); failures[failedNames] = failures[failedNames] "\n    " $0; message = 0; next }
     /^  Failed [A-Za-z_][A-Za-z0-9_.]*[ (]/ { sub(/^  Failed /, ""); failures[++failedNames] = $0; next }
     /^  Error Message:$/ && failedNames { message = 1; next }
     /^ *Total tests: [0-9]+$/ { projects++ }
     /^ *Passed: [0-9]+$/      { passed += $2 }
     /^ *Failed: [0-9]+$/      { failed += $2 }
     /^ *Skipped: [0-9]+$/     { skipped += $2 }
     END {
       for (i = 1; i <= failedNames; i++) print "failed: " failures[i]
       if (projects == 0) { print "tests: the runner printed no summary (did the build fail?)"; exit }
       printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped
     }' "$log"
exit "$status"
