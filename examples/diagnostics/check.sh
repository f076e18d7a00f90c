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

fail() {
    echo "check.sh: FAIL: $*" >&2
    if [[ -s "$work/server.log" ]]; then
        echo "---- server output:" >&2
        cat "$work/server.log" >&2
    fi
    exit 1
}

command -v curl >/dev/null 2>&1 ||
    fail "curl is not installed; this test needs it (Debian: apt-get install curl)"

rm -rf "$work"
mkdir -p "$work"
port_file="$work/port"

"$server" "$port_file" >"$work/server.log" 2>&1 &
pid=$!
# Whatever happens from here on, the server does not outlive the test.
cleanup() {
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# The port file appears complete (written, then renamed) once the port is bound.
for ((i = 0; i < 100; ++i)); do
    [[ -s "$port_file" ]] && break
    kill -0 "$pid" 2>/dev/null || fail "the server exited before writing its port"
    sleep 0.1
done
[[ -s "$port_file" ]] || fail "no port file after 10 s"
port=$(<"$port_file")
[[ $port =~ ^[0-9]+$ ]] || fail "the port file holds '$port', not a port number"
base="http://127.0.0.1:$port"
echo "check.sh: server pid $pid on $base"

curl -fsS --max-time 10 -D "$work/registry.headers" -o "$work/registry.json" "$base/debug/registry" ||
    fail "GET /debug/registry failed"
curl -fsS --max-time 10 -D "$work/metrics.headers" -o "$work/metrics.txt" "$base/metrics" ||
    fail "GET /metrics failed"
status=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$base/no/such/path") ||
    fail "GET /no/such/path failed"
[[ $status == 404 ]] || fail "GET /no/such/path answered $status, expected 404"

"$checker" "$work/registry.json" "$work/metrics.txt" "$work/registry.headers" "$work/metrics.headers" ||
    fail "diagnostics_check found problems (bodies in $work)"

kill -TERM "$pid"
for ((i = 0; i < 100; ++i)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "the server did not stop within 10 s of SIGTERM"
rc=0
wait "$pid" || rc=$?
[[ $rc -eq 0 ]] || fail "the server exited with status $rc after SIGTERM, expected 0"

echo "check.sh: OK: both endpoints checked, 404 for an unknown path, clean exit on SIGTERM"
