#!/usr/bin/env bash
# Starts the sandbox: containers when a Docker/Podman engine answers, otherwise executables mode, whose
# prerequisites (redis-server, prometheus) are installed first when this user may; in both modes Node.js and the
# queue board's npm packages too. Extra arguments go to the AppHost, e.g. `AppHost/start.sh --Sandbox:Runtime=executables`.
set -euo pipefail
cd "$(dirname "$0")/.."
source AppHost/prerequisites.sh

if ! sandbox_container_engine >/dev/null || [[ " $* " == *"Runtime=executables"* ]]; then
  sandbox_install_executables_prerequisites
fi
# The queue board runs on the host with node in both modes.
sandbox_install_queue_board_prerequisites

# Build (the AppHost's project references build the services too), then start the built AppHost itself with its
# launch profile's settings: `dotnet run` would do the same but stay alive beside it. No developer certificate is
# needed: the profile keeps the dashboard and its telemetry endpoint on plain HTTP on localhost.
dotnet build AppHost -nologo -v quiet -clp:ErrorsOnly
sandbox_export_launch_profile
exec dotnet AppHost/bin/Debug/net10.0/AppHost.dll "$@"
