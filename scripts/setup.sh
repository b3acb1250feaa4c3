#!/usr/bin/env bash
# Installs the Debian packages Podium's measurement chain and tests use, when missing:
#   linux-perf  CPU profiles (flame graphs) of the Rust subjects, which have no pprof
#   iproute2    `ip netns` for the --netns isolation mode (server in its own namespace)
# Needs root (or sudo) for apt-get; without it, prints what is missing and goes on: Podium
# records "unavailable" for what it cannot do, but the tests expect these tools.
set -euo pipefail

want=()
command -v perf >/dev/null 2>&1 || want+=(linux-perf)
command -v ip >/dev/null 2>&1 || want+=(iproute2)

if [ ${#want[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "warning: missing ${want[*]} and not root: install them with apt-get for profiles and --netns" >&2
    exit 0
  fi
fi
echo "==> installing ${want[*]} (Debian packages)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${want[@]}" >/dev/null
