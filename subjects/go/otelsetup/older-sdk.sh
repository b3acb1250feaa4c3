#!/bin/sh
# The `prepare` of the Go subjects' [[otel.older_sdk]] (issue #8's compatibility matrix):
# run in a scratch copy of a subject folder (with ../otelsetup beside it), it moves the
# OpenTelemetry Go SDK and the contrib modules otelsetup uses to an older release line,
# plus any instrumentation module given after the two versions (module@version), in
# otelsetup and in the subject, and tidies both.
#   usage: sh ../otelsetup/older-sdk.sh OTEL_VERSION CONTRIB_VERSION [MODULE@VERSION ...]
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OTEL_VERSION CONTRIB_VERSION [MODULE@VERSION ...]" >&2; exit 2; }
otel=$1 contrib=$2
shift 2
sdk="go.opentelemetry.io/otel@$otel go.opentelemetry.io/otel/sdk@$otel go.opentelemetry.io/otel/sdk/metric@$otel \
go.opentelemetry.io/contrib/exporters/autoexport@$contrib go.opentelemetry.io/contrib/propagators/autoprop@$contrib \
go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp@$contrib"
here=$(pwd)
(cd "$(dirname "$0")" && go get $sdk && go mod tidy)
cd "$here"
go get $sdk "$@"
go mod tidy
