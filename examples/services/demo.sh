#!/usr/bin/env bash
# examples/services/demo.sh — the services demo in one command (and ctest
# `example.services`): one process announces a service instance in etcd,
# another resolves it, and the resolver sees it appear, change and go.
#
# Usage: demo.sh <build-dir>                    e.g. demo.sh build/dev
#        demo.sh --announce <path> --resolve <path>
#
# Starts a private etcd on 127.0.0.1 (free ports, a temporary data
# directory), then `resolve` in the background, then `announce` for
# payments/10.0.0.7:8443 with weight 3 under a 5 s lease; sends it
# "weight 5"; stops it with SIGTERM (it revokes its lease). Requires, in
# resolve's output and in this order:
#   added payments/10.0.0.7:8443 weight=3
#   changed payments/10.0.0.7:8443 weight=5 (was 3)
#   removed payments/10.0.0.7:8443
# and exit status 0 from both programs; prints the time from starting
# announce to resolve's "added" line. Everything it started is stopped and
# the directory removed at exit, whatever happens.
#
# Exit status: 0 when it held, 1 when not, 2 for a usage error, 77 (skip)
# when the etcd server is not installed ($ROSTER_ETCD, else `etcd` on PATH).
set -euo pipefail
export LC_ALL=C # "1.5" in sleep and $EPOCHREALTIME, whatever the locale

usage() {
    echo "usage: $0 <build-dir> | --announce <path> --resolve <path>" >&2
    exit 2
}
announce=""
resolve=""
case $# in
1) announce=$1/examples/services_announce resolve=$1/examples/services_resolve ;;
4) [[ $1 == --announce && $3 == --resolve ]] || usage; announce=$2 resolve=$4 ;;
*) usage ;;
esac
for program in "$announce" "$resolve"; do
    if [[ ! -x $program ]]; then
        echo "demo.sh: $program: not built (configure with -DROSTER_WITH_ETCD=ON, then build the targets" \
            "roster_example_services_announce and roster_example_services_resolve)" >&2
        exit 2
    fi
done

etcd_bin=${ROSTER_ETCD:-$(command -v etcd || true)}
if [[ -z $etcd_bin || ! -x $etcd_bin ]]; then
    echo "demo.sh: SKIPPED: the etcd server is not installed (Debian: apt-get install etcd-server; or set ROSTER_ETCD)"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/roster-services.XXXXXX")
pids=() # everything started in the background, stopped at exit

cleanup() {
    set +e
    exec 4>&- # announce's input
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for _ in {1..50}; do # up to 5 s to exit, then SIGKILL
        local running=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
        ((running)) || break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "demo.sh: FAILED: $*" >&2
    local f
    for f in "$work"/*.err "$work"/etcd.log; do
        [[ -s $f ]] && { echo "--- ${f##*/}:" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}

# clock <var>: sets <var> to the wall clock in microseconds ($EPOCHREALTIME:
# bash 5; no subshell, so no fork between the event and its time).
clock() { local t=${EPOCHREALTIME:-0.0}; printf -v "$1" '%s' "${t/./}"; }
at=0 started=0 changed_at=0 stopped_at=0 # set by clock

# ms <from_us> <to_us>: the difference as milliseconds, "12.345".
ms() { local d=$(($2 - $1)); printf '%d.%03d' $((d / 1000)) $((d % 1000)); }

# show <name>: the lines of $work/<name>.log not shown yet, labelled (a
# resolve line's leading time stamp removed).
declare -A shown=()
show() {
    local name=$1 n=0 line
    while IFS= read -r line; do # a last line still being written is left for next time
        n=$((n + 1))
        ((n > ${shown[$name]:-0})) || continue
        [[ $name == resolve ]] && line=${line#* }
        printf '%-8s | %s\n' "$name" "$line"
    done <"$work/$name.log"
    shown[$name]=$n
}

# wait_for <name> <pid> <regex>: waits (10 s at most) for a line of
# $work/<name>.log matching <regex>; fails if the process <pid> exits first.
wait_for() {
    local name=$1 pid=$2 regex=$3
    for _ in {1..1000}; do
        grep -qE -- "$regex" "$work/$name.log" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { sleep 0.1; grep -qE -- "$regex" "$work/$name.log" && return 0; fail "$name exited before printing /$regex/"; }
        sleep 0.01
    done
    fail "no line /$regex/ from $name within 10 s"
}

# stamp_of <name> <regex>: the time stamp of the first matching resolve line.
stamp_of() { grep -E -- "^[0-9]+ $2" "$work/$1.log" | head -n 1 | cut -d ' ' -f 1; }

# free_ports: two TCP ports nobody listens on now, on 127.0.0.1.
free_ports() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))'
    else
        echo $((20000 + RANDOM % 20000)) $((40000 + RANDOM % 20000))
    fi
}

# --- etcd: a private single-member cluster, retried on other ports if the
# ones picked were taken meanwhile.
etcd_pid=""
for attempt in 1 2 3 4 5; do
    read -r client_port peer_port < <(free_ports)
    endpoint=http://127.0.0.1:$client_port
    peer=http://127.0.0.1:$peer_port
    rm -rf "$work/etcd.data"
    "$etcd_bin" --name demo --data-dir "$work/etcd.data" \
        --listen-client-urls "$endpoint" --advertise-client-urls "$endpoint" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
        --initial-cluster "demo=$peer" --initial-cluster-state new --initial-cluster-token roster-services-demo \
        --heartbeat-interval 50 --election-timeout 500 --logger zap --log-level error >"$work/etcd.log" 2>&1 &
    etcd_pid=$!
    pids+=("$etcd_pid")
    for _ in {1..200}; do # 10 s at most to listen
        kill -0 "$etcd_pid" 2>/dev/null || break
        if (exec 3<>"/dev/tcp/127.0.0.1/$client_port") 2>/dev/null; then break 2; fi
        sleep 0.05
    done
    kill -KILL "$etcd_pid" 2>/dev/null || true
    wait "$etcd_pid" 2>/dev/null || true
    echo "demo.sh: etcd did not start on ports $client_port/$peer_port (attempt $attempt)" >&2
    ((attempt < 5)) || fail "etcd did not start"
done
echo "demo: $("$etcd_bin" --version | head -n 1) on $endpoint, data in $work"

# --- resolve, in the background: its lines are time-stamped (microseconds)
# as they arrive, through a pipe.
mkfifo "$work/resolve.pipe" "$work/announce.in"
"$resolve" "$endpoint" 3 60 >"$work/resolve.pipe" 2>"$work/resolve.err" &
resolve_pid=$!
pids+=("$resolve_pid")
while IFS= read -r line; do
    clock at
    printf '%s %s\n' "$at" "$line"
done <"$work/resolve.pipe" >"$work/resolve.log" &
stamper_pid=$!
pids+=("$stamper_pid")
echo "demo: resolve started: waits for 3 events (60 s at most)"
wait_for resolve "$resolve_pid" '^[0-9]+ watching '
show resolve

# --- announce: its input is a pipe this script writes commands to (fd 4).
echo "demo: announce payments 10.0.0.7:8443 with weight 3 under a 5 s lease"
clock started
"$announce" "$endpoint" 5 payments 10.0.0.7:8443 3 <"$work/announce.in" >"$work/announce.log" 2>"$work/announce.err" &
announce_pid=$!
pids+=("$announce_pid")
exec 4>"$work/announce.in"
wait_for resolve "$resolve_pid" '^[0-9]+ added payments/10\.0\.0\.7:8443 '
show announce
show resolve

echo 'demo: tell announce "weight 5"'
clock changed_at
echo "weight 5" >&4
wait_for resolve "$resolve_pid" '^[0-9]+ changed payments/10\.0\.0\.7:8443 '
wait_for announce "$announce_pid" '^updated '
show announce
show resolve

echo "demo: stop announce (SIGTERM)"
clock stopped_at
kill -TERM "$announce_pid"
announce_status=0
wait "$announce_pid" || announce_status=$?
exec 4>&-
((announce_status == 0)) || fail "announce exited with status $announce_status"
wait_for resolve "$resolve_pid" '^[0-9]+ removed payments/10\.0\.0\.7:8443'
resolve_status=0
wait "$resolve_pid" || resolve_status=$?
wait "$stamper_pid" || true # it ends with resolve's output
show announce
show resolve
((resolve_status == 0)) || fail "resolve exited with status $resolve_status"

# --- the check: exactly these event lines, in this order.
expected='added payments/10.0.0.7:8443 weight=3
changed payments/10.0.0.7:8443 weight=5 (was 3)
removed payments/10.0.0.7:8443'
events=$(cut -d ' ' -f 2- "$work/resolve.log" | grep -E '^(added|changed|removed) ' || true)
[[ $events == "$expected" ]] || fail "resolve's events were
$events
expected
$expected"

if [[ -n ${EPOCHREALTIME:-} ]]; then
    echo "demo: announce started -> \"added\" in resolve: $(ms "$started" "$(stamp_of resolve added)") ms;" \
        "\"weight 5\" -> \"changed\": $(ms "$changed_at" "$(stamp_of resolve changed)") ms;" \
        "SIGTERM -> \"removed\": $(ms "$stopped_at" "$(stamp_of resolve removed)") ms"
fi
echo "demo: OK: resolve saw the instance added, changed and removed"
