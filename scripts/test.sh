#!/usr/bin/env bash
# Podium's whole test suite: lints (Rust and Go), the Go and Rust subjects' own unit
# tests, and `cargo test`, whose end-to-end tests build every subject with the real
# toolchains and verify it against the contract. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

for tool in cargo go; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed; Podium's tests need the Go and Rust toolchains" >&2; exit 1; }
done
if command -v rustup >/dev/null; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

step "System packages and peer tools (perf, iproute2, chromium, wrk, vegeta, air, watchexec, playwright-core)"
./scripts/setup.sh

step "Rust: format and lints (Podium)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust: format and lints (Rust subjects)"
(cd subjects/rust && cargo fmt --all -- --check && cargo clippy --workspace --all-targets --locked -- -D warnings)
# The OpenTelemetry variants (issue #8) are the cargo feature `otel`.
(cd subjects/rust && cargo clippy --workspace --all-targets --all-features --locked -- -D warnings)

step "Go: gofmt, go vet and unit tests (Go subjects and fixtures)"
go_modules=$(find subjects/go tests/fixtures -name go.mod -not -path '*/target/*' -exec dirname {} \; | sort)
unformatted=$(gofmt -l $go_modules)
if [ -n "$unformatted" ]; then
  echo "error: gofmt would reformat:" >&2; echo "$unformatted" >&2; exit 1
fi
for dir in $go_modules; do
  (cd "$dir" && go vet ./... && go test -count=1 ./...)
  # OpenTelemetry variants (issue #8) live behind the `otel` build tag.
  if grep -rqs --include='*.go' '^//go:build otel' "$dir"; then
    (cd "$dir" && go vet -tags otel ./... && go test -tags otel -count=1 ./...)
  fi
done
# The Go program podium-eco embeds (documentation coverage), run with `go run`.
if [ -n "$(gofmt -l crates/eco/src/go)" ]; then
  echo "error: gofmt would reformat crates/eco/src/go" >&2; exit 1
fi
(cd crates/eco/src/go && GOWORK=off go vet doccov.go)

step "Rust subjects: unit tests"
(cd subjects/rust && cargo test --workspace --locked --no-fail-fast)
(cd subjects/rust && cargo test -p podium-subject-common --features otel --locked --no-fail-fast)

step "Podium: unit and end-to-end tests"
cargo test --workspace --locked --no-fail-fast
