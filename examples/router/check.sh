#!/usr/bin/env bash
# examples/router/check.sh — ctest `example.router`.
#
# Usage: check.sh <router> <work-dir>
#
# Starts the router in the background, waits (at most 10 s) for the port it
# writes, then checks its answers with curl: status, body, and the Allow,
# Location and X-Route-Pattern headers. Stops it with SIGTERM and requires
# exit status 0. The server is killed whatever happens.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <router> <work-dir>" >&2
    exit 2
fi
server=$1
work=$2

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
cleanup() {
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT

for ((i = 0; i < 100; ++i)); do
    [[ -s "$port_file" ]] && break
    kill -0 "$pid" 2>/dev/null || fail "the server exited before writing its port"
    sleep 0.1
done
[[ -s "$port_file" ]] || fail "no port file after 10 s"
port=$(<"$port_file")
[[ $port =~ ^[0-9]+$ ]] || fail "the port file holds '$port', not a port number"
base="http://127.0.0.1:$port"
echo "check.sh: router pid $pid on $base"

checks=0
# expect <curl args...> -- <status> <body or -> [<header>: <value>]...
# Runs curl once (never following redirects; --path-as-is keeps "/a/../b"),
# then checks the status, the body (unless "-") and each header given.
expect() {
    local args=()
    while [[ $1 != -- ]]; do args+=("$1"); shift; done
    shift
    local want_status=$1 want_body=$2
    shift 2
    local headers="$work/headers" body="$work/body" status
    status=$(curl -sS --path-as-is --max-time 10 -D "$headers" -o "$body" -w '%{http_code}' "${args[@]}") ||
        fail "curl ${args[*]} failed"
    [[ $status == "$want_status" ]] || fail "curl ${args[*]}: status $status, expected $want_status"
    if [[ $want_body != - ]]; then
        [[ "$(<"$body")" == "$want_body" ]] || fail "curl ${args[*]}: body '$(<"$body")', expected '$want_body'"
    fi
    for header in "$@"; do
        grep -qiF -- "$header" <(tr -d '\r' <"$headers") ||
            fail "curl ${args[*]}: no header '$header' in: $(tr -d '\r' <"$headers" | tr '\n' '|')"
    done
    checks=$((checks + 1))
}

expect "$base/users/42" -- 200 "user 42" "X-Route-Pattern: GET /users/{id}"
expect "$base/users/me" -- 200 "me" "X-Route-Pattern: GET /users/me"
expect "$base/users/a%20b" -- 200 "user a b"
expect -I "$base/users/42" -- 200 - "X-Route-Pattern: GET /users/{id}"
expect -X DELETE "$base/users/42" -- 405 - "Allow: GET, HEAD"
expect -X PUT "$base/users" -- 405 - "Allow: GET, HEAD, POST"
expect -X POST "$base/users" -- 201 "created"
expect "$base/" -- 200 "home"
expect "$base/nope" -- 404 "404 page not found"
expect "$base/static" -- 301 - "Location: /static/"
expect "$base/static/css/site.css" -- 200 "static /static/css/site.css" "X-Route-Pattern: /static/"
expect "$base/users/../users/7?x=1" -- 301 - "Location: /users/7?x=1"
expect "$base//users/8" -- 301 - "Location: /users/8"
expect "$base/files/a/b/c.txt" -- 200 "file a/b/c.txt" "X-Route-Pattern: GET /files/{path...}"
expect "$base/where" -- 200 "host-specific" "X-Route-Pattern: GET 127.0.0.1/where"
expect -H "Host: localhost:$port" "$base/where" -- 200 "any host" "X-Route-Pattern: GET /where"

grep -q 'conflicts with key "GET /users/me"' "$work/server.log" ||
    grep -q 'conflicts with key' "$work/server.log" ||
    fail "the server did not print the refused conflict"

kill -TERM "$pid"
for ((i = 0; i < 100; ++i)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "the server did not stop within 10 s of SIGTERM"
rc=0
wait "$pid" || rc=$?
[[ $rc -eq 0 ]] || fail "the server exited with status $rc after SIGTERM, expected 0"

echo "check.sh: OK: $checks requests answered as expected, conflict refused at registration, clean exit on SIGTERM"
