#!/usr/bin/env bash
# examples/diagnostics/check.sh — ctest `example.diagnostics`.
#
# Usage: check.sh <diagnostics> <diagnostics_check> <work-dir>
#
# Starts the diagnostics server in the background, waits (at most 10 s) for
# the port it writes, fetches /debug/registry and /metrics with curl (and
# requires a 404 for an unknown path), checks both with diagnostics_check,
# then sends SIGTERM and requires the server to exit with status 0 within
# 10 s. The server is killed whatever happens. Fails, saying so, when curl is
# not installed.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 <diagnostics> <diagnostics_check> <work-dir>" >&2
    exit 2
fi
server=$1
checker=$2
work=$3

# shellcheck source=../common/serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/serve.sh" # fail, start_server, stop_server
start_server "$server" "$work"

curl -fsS --max-time 10 -D "$work/registry.headers" -o "$work/registry.json" "$base/debug/registry" ||
    fail "GET /debug/registry failed"
curl -fsS --max-time 10 -D "$work/metrics.headers" -o "$work/metrics.txt" "$base/metrics" ||
    fail "GET /metrics failed"
status=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$base/no/such/path") ||
    fail "GET /no/such/path failed"
[[ $status == 404 ]] || fail "GET /no/such/path answered $status, expected 404"

"$checker" "$work/registry.json" "$work/metrics.txt" "$work/registry.headers" "$work/metrics.headers" ||
    fail "diagnostics_check found problems (bodies in $work)"

stop_server

echo "check.sh: OK: both endpoints checked, 404 for an unknown path, clean exit on SIGTERM"
