# shellcheck shell=bash
# Shared by AppHost/start.sh, tests/run.sh and tests/benchmarks/cold-start.sh: makes sure the sandbox (and its tests)
# can run on this machine, and applies the AppHost's launch profile. Installs what is missing from the system package
# manager when it may (root, passwordless sudo or Homebrew); otherwise prints the exact command and fails.

sandbox_missing_binaries() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  # The runbook's queue checks use redis-cli (Debian's redis-tools, which redis-server brings along).
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-cli)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  command -v promtool >/dev/null 2>&1 || missing+=(promtool)
  echo "${missing[@]:-}"
}

# Exports the AppHost's launch profile (AppHost/Properties/launchSettings.json): its environment variables, and its
# applicationUrl as ASPNETCORE_URLS. `dotnet run` applies them but then stays alive beside the AppHost (about 150 MB)
# for nothing, so start.sh applies them itself and starts the built AppHost directly. Like `dotnet run`, it takes the
# first profile whose commandName is Project; Node.js (which the queue board needs anyway) reads the JSON.
sandbox_launch_profile_environment() {
  # shellcheck disable=SC2016 # JavaScript template strings, not shell expansions.
  node -e '
    const file = require("path").resolve(process.argv[1]);
    const profiles = Object.values(require(file).profiles ?? {});
    const profile = profiles.find(p => p.commandName === "Project");
    if (!profile) {
      console.error(`sandbox: ${file} has no launch profile with "commandName": "Project"`);
      process.exit(1);
    }
    const settings = { ...profile.environmentVariables };
    if (profile.applicationUrl) settings.ASPNETCORE_URLS = profile.applicationUrl;
    for (const [name, value] of Object.entries(settings)) console.log(`${name}=${value}`);
  ' "$1"
}

sandbox_export_launch_profile() {
  local settings setting
  settings="$(sandbox_launch_profile_environment AppHost/Properties/launchSettings.json)" || return 1
  while IFS= read -r setting; do export "${setting?}"; done <<< "$settings"
}

# Prints the container engine whose engine (not just its client) answers: ASPIRE_CONTAINER_RUNTIME if set, otherwise
# docker, then podman, as the AppHost asks them. Podman's info has no .ServerVersion; it names its version .Version.Version.
sandbox_container_engine() {
  local runtime field
  for runtime in ${ASPIRE_CONTAINER_RUNTIME:-docker podman}; do
    field='{{.ServerVersion}}'
    [ "$runtime" = podman ] && field='{{.Version.Version}}'
    if command -v "$runtime" >/dev/null 2>&1 && timeout 5 "$runtime" info --format "$field" >/dev/null 2>&1; then
      echo "$runtime"
      return 0
    fi
  done
  return 1
}

sandbox_install_executables_prerequisites() {
  local missing
  missing="$(sandbox_missing_binaries)"
  if [ -z "$missing" ]; then
    return 0
  fi

  echo "sandbox: missing $missing; installing the executables-mode prerequisites"
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if sudo -n true 2>/dev/null; then
        sudo="sudo"
      else
        echo "sandbox: run 'sudo apt-get update && sudo apt-get install -y redis-server redis-tools prometheus', then this command again." >&2
        return 1
      fi
    fi
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools prometheus >/dev/null
  elif command -v brew >/dev/null 2>&1; then
    brew install redis prometheus
  else
    echo "sandbox: install Redis 7 (redis-server) and Prometheus (prometheus, promtool) with your package manager, then run this command again." >&2
    return 1
  fi

  missing="$(sandbox_missing_binaries)"
  if [ -n "$missing" ]; then
    echo "sandbox: still missing $missing after installing; check the package manager's output above." >&2
    return 1
  fi
}

# Node.js 18 or newer with npm, for the queue board and the BullMQ interop tests; installed from the system package
# manager when missing and this user may (Debian 12's nodejs is 18).
sandbox_ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "sandbox: installing Node.js and npm (the queue board and the BullMQ interop tests run on them)"
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
      echo "sandbox: install Node.js 18 or newer with npm, then run this command again." >&2
      return 1
    fi
  fi
  if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
    echo "sandbox: Node.js $(node --version) is too old; install Node.js 18 or newer, then run this command again." >&2
    return 1
  fi
}

# The queue board's pinned npm packages (AppHost/QueueBoard, into its ignored node_modules folder), in both modes.
# npm ci records what it installed in node_modules/.package-lock.json: newer than the lock file means up to date.
sandbox_install_queue_board_prerequisites() {
  sandbox_ensure_node
  local board=AppHost/QueueBoard
  if [ "$board/node_modules/.package-lock.json" -nt "$board/package-lock.json" ]; then
    return 0
  fi
  npm ci --prefix "$board" --no-audit --no-fund --loglevel=error
}

# The interop tests drive the real BullMQ from Node.js: the pinned packages of tests/BullMq.Tests/bullmq-node with
# `npm ci` (into its ignored node_modules folder). The runbook's doc-tests run its curl commands, so curl too; the
# dashboard views are opened in Debian's Chromium, headless.
sandbox_install_test_prerequisites() {
  if ! command -v curl >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
  fi
  if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    echo "sandbox: installing Chromium for the dashboard views' browser test"
    if [ "$(id -u)" -eq 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    elif sudo -n true 2>/dev/null; then
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "sandbox: run 'sudo apt-get install -y chromium', then this command again." >&2
      return 1
    fi
  fi
  sandbox_ensure_node
  npm ci --prefix tests/BullMq.Tests/bullmq-node --no-audit --no-fund --loglevel=error
}
