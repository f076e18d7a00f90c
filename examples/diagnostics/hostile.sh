#!/usr/bin/env bash
# examples/diagnostics/hostile.sh — ctest `example.diagnostics_hostile`.
#
# Usage: hostile.sh <diagnostics> <work-dir>
#
# Starts the diagnostics server (examples/common/serve.sh), runs hostile.py
# against it over 127.0.0.1: malformed and oversized requests, odd bytes,
# versions and methods, 1-byte writes, 200 idle connections and a burst of
# 500 connect/close, checking after each group that the server is alive and
# still answers /debug/registry.json (valid JSON) and /metrics with 200, and
# at the end that /debug/registry.html is the intact page and the server's
# peak memory stayed bounded. Then checks the process is still alive
# (kill -0), sends SIGTERM and requires exit status 0 within 10 s. The whole
# attack is bounded (hostile.py's own timeouts, and at most 40 s here). Fails,
# saying so, when python3 is not installed. The server is killed whatever
# happens.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <diagnostics> <work-dir>" >&2
    exit 2
fi
server=$1
work=$2

serve_name=hostile.sh
serve_needs_curl=0 # python3 talks to the server
# shellcheck source=../common/serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/serve.sh" # fail, start_server, stop_server
command -v python3 >/dev/null 2>&1 || fail "python3 is not installed; this test needs it (Debian: apt-get install python3)"

start_server "$server" "$work"

attack_rc=0
timeout --signal=KILL 40 python3 "$(dirname "${BASH_SOURCE[0]}")/hostile.py" "$port" "$pid" || attack_rc=$?
if [[ $attack_rc -eq 137 ]]; then
    fail "hostile.py did not finish within 40 s (the server hangs?)"
elif [[ $attack_rc -ne 0 ]]; then
    fail "hostile.py failed (exit status $attack_rc)"
fi
kill -0 "$pid" 2>/dev/null || fail "the server is gone after the attacks"

stop_server

echo "hostile.sh: OK: the server survived the hostile traffic and exited 0 on SIGTERM"
