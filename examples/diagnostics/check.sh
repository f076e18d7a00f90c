#!/usr/bin/env bash
# examples/diagnostics/check.sh — ctest `example.diagnostics`.
#
# Usage: check.sh <diagnostics> <diagnostics_check> <work-dir>
#
# Starts the diagnostics server in the background, waits (at most 10 s) for
# the port it writes, fetches /debug/registry and /metrics with curl (and
# requires a 404 for an unknown path), checks both with diagnostics_check,
# then checks the content negotiation of /debug/registry: JSON for curl's
# */*, for no Accept header and for application/json, HTML for a browser's
# Accept header and for text/html; the same bytes as /debug/registry.json and
# /debug/registry.html; Vary: Accept; and the HTML page's doctype and
# registries (ctest `example.diagnostics_browser` renders it in a browser).
# Then sends SIGTERM and requires the server to exit with status 0 within
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

# header_value <headers-file> <name>: the value of the last <name> header (curl -D output).
header_value() {
    awk -v name="$(tr '[:upper:]' '[:lower:]' <<<"$2")" '
        { sub(/\r$/, "") }
        index(tolower($0), name ":") == 1 { value = substr($0, length(name) + 2); sub(/^[ \t]+/, "", value) }
        END { print value }' "$1"
}

# fetch <name> <path> [curl args...]: GET <path> into $work/<name>.body and $work/<name>.headers.
fetch() {
    local name=$1 path=$2
    shift 2
    curl -fsS --max-time 10 "$@" -D "$work/$name.headers" -o "$work/$name.body" "$base$path" ||
        fail "GET $path $* failed"
}

fetch explicit_json /debug/registry.json
fetch explicit_html /debug/registry.html
[[ $(header_value "$work/explicit_json.headers" content-type) == application/json* ]] ||
    fail "/debug/registry.json: Content-Type is not application/json"
[[ $(header_value "$work/explicit_html.headers" content-type) == "text/html; charset=utf-8" ]] ||
    fail "/debug/registry.html: Content-Type is '$(header_value "$work/explicit_html.headers" content-type)', expected 'text/html; charset=utf-8'"
cmp -s "$work/registry.json" "$work/explicit_json.body" ||
    fail "/debug/registry (curl's Accept: */*) and /debug/registry.json differ"
[[ $(header_value "$work/registry.headers" vary) == Accept ]] ||
    fail "/debug/registry has no 'Vary: Accept' header"

# negotiate <expected json|html> <Accept header, or - for none>
browser_accept='text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8'
negotiations=0
negotiate() {
    local expected=$1 accept=$2 args=()
    if [[ $accept == - ]]; then args=(-H 'Accept:'); else args=(-H "Accept: $accept"); fi
    fetch negotiated /debug/registry "${args[@]}"
    cmp -s "$work/negotiated.body" "$work/explicit_$expected.body" ||
        fail "/debug/registry with Accept '$accept' did not answer the $expected of /debug/registry.$expected"
    [[ $(header_value "$work/negotiated.headers" vary) == Accept ]] ||
        fail "/debug/registry with Accept '$accept' has no 'Vary: Accept' header"
    negotiations=$((negotiations + 1))
}
negotiate json -
negotiate json '*/*'
negotiate json 'application/json'
negotiate json 'text/html;q=0.5, application/json'
negotiate json 'text/html;q=0, */*'
negotiate html "$browser_accept"
negotiate html 'text/html'
negotiate html 'TEXT/*, application/json;q=0.9'

# The page itself (its escaping and structure are unit-tested in tests/html.cpp).
html=$(tr -d '\n' <"$work/explicit_html.body")
[[ $html == '<!DOCTYPE html><html lang="en">'* ]] || fail "/debug/registry.html does not start with the HTML5 doctype"
for registry in codecs drivers status_texts; do
    [[ $html == *"href=\"#registry-"?"\">$registry</a>"* ]] || fail "/debug/registry.html does not list $registry"
done

stop_server

echo "check.sh: OK: all endpoints checked, $negotiations Accept headers negotiated, 404 for an unknown path, clean exit on SIGTERM"
