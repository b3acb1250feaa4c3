#!/usr/bin/env bash
# Installs the Debian packages Podium's measurement chain and tests use, when missing:
#   linux-perf  CPU profiles (flame graphs) of the Rust subjects, which have no pprof
#   iproute2    `ip netns` for the --netns isolation mode (server in its own namespace)
#   chromium    the headless browser of the HTML report's browser test (/usr/bin/chromium)
#   wrk         the peer tool `podium run` cross-checks its closed loop against
# and vegeta (the fixed-rate peer) and air (the Go dev loop) with `go install`, watchexec
# (the Rust dev loop) with `cargo install`,
# and, with npm, the browser test's own dependency (playwright-core, no browser download),
# and, with pip in a venv (~/.cache/podium/otel-venv), the OpenTelemetry Python SDK whose
# OTLP exporters crates/otel/tests/receiver.rs points at Podium's receiver.
# Needs root (or sudo) for apt-get; without it, prints what is missing and goes on: Podium
# records "unavailable" for what it cannot do, but the tests expect these tools.
set -euo pipefail

want=()
command -v perf >/dev/null 2>&1 || want+=(linux-perf)
command -v ip >/dev/null 2>&1 || want+=(iproute2)
[ -x /usr/bin/chromium ] || want+=(chromium)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || want+=(python3-venv)
command -v wrk >/dev/null 2>&1 || want+=(wrk)

# vegeta, pinned, into Go's bin folder (where Podium also looks for it).
gobin="$(go env GOBIN 2>/dev/null || true)"
[ -n "$gobin" ] || gobin="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
if ! command -v vegeta >/dev/null 2>&1 && [ ! -x "$gobin/vegeta" ]; then
  echo "==> installing vegeta v12.13.0 (go install)"
  go install github.com/tsenart/vegeta/v12@v12.13.0
fi

# The dev-loop tools `podium reload` grades subjects under (tests/reload.rs), pinned as in
# crates/reload/src/tool.rs: air into Go's bin folder, watchexec into cargo's (Podium looks
# in both). watchexec compiles for a few minutes on 2 cores; it is the cheaper of the two
# Rust watchers (cargo-watch builds the same watchexec library and more).
if ! command -v air >/dev/null 2>&1 && [ ! -x "$gobin/air" ]; then
  echo "==> installing air v1.67.4 (go install)"
  go install github.com/air-verse/air@v1.67.4
fi
cargobin="${CARGO_HOME:-$HOME/.cargo}/bin"
if ! command -v watchexec >/dev/null 2>&1 && [ ! -x "$cargobin/watchexec" ]; then
  echo "==> installing watchexec 2.8.0 (cargo install watchexec-cli, a few minutes)"
  cargo install watchexec-cli --version 2.8.0 --locked --quiet
fi

# crates/report/tests/browser.rs drives report.html with playwright-core, pinned by the
# package-lock.json beside it; playwright-core never downloads a browser of its own.
browser_tests="$(cd "$(dirname "$0")/.." && pwd)/crates/report/tests/browser"
if [ ! -d "$browser_tests/node_modules/playwright-core" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "==> installing the report's browser-test dependencies (npm ci)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$browser_tests" --no-audit --no-fund >/dev/null
  else
    echo "warning: npm is missing: install Node.js 20 or later for the report's browser test" >&2
  fi
fi

install_otel_venv() {
  # The OpenTelemetry Python SDK, pinned by crates/otel/tests/python/requirements.txt.
  local root venv requirements
  root="$(cd "$(dirname "$0")/.." && pwd)"
  venv="${PODIUM_OTEL_VENV:-$HOME/.cache/podium/otel-venv}"
  requirements="$root/crates/otel/tests/python/requirements.txt"
  if [ -f "$venv/.installed" ] && cmp -s "$requirements" "$venv/.installed"; then
    return 0
  fi
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "warning: python3 with venv is missing: the OTLP receiver's Python SDK test cannot run" >&2
    return 0
  fi
  echo "==> installing the OpenTelemetry Python SDK into $venv (pip)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/.installed"
}

if [ ${#want[@]} -eq 0 ]; then
  install_otel_venv
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
install_otel_venv
