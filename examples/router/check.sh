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

# shellcheck source=../common/serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/serve.sh" # fail, start_server, stop_server
start_server "$server" "$work"

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

stop_server

echo "check.sh: OK: $checks requests answered as expected, conflict refused at registration, clean exit on SIGTERM"
