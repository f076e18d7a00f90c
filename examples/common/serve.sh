# examples/common/serve.sh — what the HTTP examples' check scripts share
# (examples/diagnostics/check.sh and browser.sh, examples/router/check.sh).
# Source it, then:
#   start_server <server> <work-dir>   starts it, waits (at most 10 s) for the
#                                      port it writes; sets pid, port, base
#   stop_server                        SIGTERM, then requires exit status 0
#                                      within 10 s
#   fail <message>                     prints the message and the server's
#                                      output, exits 1
# The server is killed at exit whatever happens. Fails, saying so, when curl
# is not installed, unless the sourcing script set serve_needs_curl=0 first
# (a script that talks to the server with another client). Messages start
# with "$serve_name: " ("check.sh: " unless set).

fail() {
    echo "${serve_name:-check.sh}: FAIL: $*" >&2
    if [[ -n ${work:-} && -s "$work/server.log" ]]; then
        echo "---- server output:" >&2
        cat "$work/server.log" >&2
    fi
    exit 1
}

if [[ ${serve_needs_curl:-1} != 0 ]]; then
    command -v curl >/dev/null 2>&1 ||
        fail "curl is not installed; this test needs it (Debian: apt-get install curl)"
fi

start_server() {
    local server=$1
    work=$2
    rm -rf "$work"
    mkdir -p "$work"
    local port_file="$work/port"
    "$server" "$port_file" >"$work/server.log" 2>&1 &
    pid=$!
    trap cleanup_server EXIT
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
    echo "${serve_name:-check.sh}: server pid $pid on $base"
}

cleanup_server() {
    if [[ -n ${pid:-} ]] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}

stop_server() {
    kill -TERM "$pid"
    for ((i = 0; i < 100; ++i)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && fail "the server did not stop within 10 s of SIGTERM"
    local rc=0
    wait "$pid" || rc=$?
    [[ $rc -eq 0 ]] || fail "the server exited with status $rc after SIGTERM, expected 0"
}
