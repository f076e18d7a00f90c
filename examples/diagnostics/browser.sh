#!/usr/bin/env bash
# examples/diagnostics/browser.sh — ctest `example.diagnostics_browser`.
#
# Usage: browser.sh <diagnostics> <work-dir>
#
# Loads the diagnostics page in a real browser, headless Chromium:
#   1. starts the diagnostics server (examples/common/serve.sh);
#   2. loads GET /debug/registry (no ".html": the browser's own Accept header
#      must get the HTML) with #sort=entries-0.2.desc in the address, dumps
#      the DOM after the page's script ran, and checks it: the script marked
#      the page (<html data-sortable="ready">) and sorted the codecs entries
#      by hits, most first ("rot13", 1 hit, now before "identity", 0 hits);
#      the registries, their keys and a hit count are in the rendered DOM;
#   3. takes a 1100x700 screenshot of /debug/registry.html and checks it is a
#      PNG (signature, IHDR size 1100x700) and not blank (over 15000 bytes);
#      it stays at <work-dir>/diagnostics.png;
#   4. stops the server with SIGTERM and requires exit status 0.
# (That the page works without JavaScript, its facts in the markup in name
# order, is checked on the markup itself: tests/html.cpp and check.sh.
# Chromium's --dump-dom dumps nothing once scripts are disabled.)
# Each browser run has a private profile and home under <work-dir> and a hard
# timeout (ROSTER_BROWSER_TIMEOUT seconds, default 60).
#
# The browser: $ROSTER_CHROMIUM, else `chromium` or `chromium-browser` on the
# PATH. When there is none, the test is skipped (exit status 77, ctest's
# SKIP_RETURN_CODE), saying so, unless ROSTER_REQUIRE_BROWSER=1, when it
# fails (CI sets it, so the test cannot be skipped there by accident).
# As root, Chromium runs with --no-sandbox (its sandbox refuses root).
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <diagnostics> <work-dir>" >&2
    exit 2
fi
server=$1
work=$2

browser=${ROSTER_CHROMIUM:-}
if [[ -z $browser ]]; then
    for candidate in chromium chromium-browser; do
        if command -v "$candidate" >/dev/null 2>&1; then
            browser=$(command -v "$candidate")
            break
        fi
    done
fi
if [[ -z $browser ]] || ! command -v "$browser" >/dev/null 2>&1; then
    if [[ ${ROSTER_REQUIRE_BROWSER:-0} == 1 ]]; then
        echo "browser.sh: FAIL: Chromium is not installed and ROSTER_REQUIRE_BROWSER=1 (Debian: apt-get install chromium)" >&2
        exit 1
    fi
    echo "browser.sh: SKIPPED: Chromium is not installed (Debian: apt-get install chromium; or set ROSTER_CHROMIUM)"
    exit 77
fi
command -v timeout >/dev/null 2>&1 || { echo "browser.sh: FAIL: timeout (coreutils) is not installed" >&2; exit 1; }

serve_name=browser.sh
serve_needs_curl=0 # the browser is the client
# shellcheck source=../common/serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/serve.sh" # fail, start_server, stop_server
start_server "$server" "$work"

browser_timeout=${ROSTER_BROWSER_TIMEOUT:-60}
mkdir -p "$work/home"
flags=(--headless --disable-gpu --no-first-run --no-default-browser-check --disable-extensions
       --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync
       --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$work/profile")
if [[ $(id -u) -eq 0 ]]; then
    flags+=(--no-sandbox)
fi

# browse <output-file> <chromium arguments...>: one headless run, stdout to
# <output-file>, stderr appended to $work/chromium.log; fails on a non-zero
# status or the timeout.
browse() {
    local output=$1 rc=0
    shift
    HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_CACHE_HOME="$work/home/.cache" \
        timeout -k 5 "$browser_timeout" "$browser" "${flags[@]}" "$@" >"$output" 2>>"$work/chromium.log" || rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "---- chromium.log (last 40 lines):" >&2
        tail -n 40 "$work/chromium.log" >&2 || true
        [[ $rc -eq 124 || $rc -eq 137 ]] && fail "Chromium did not finish within ${browser_timeout} s: $*"
        fail "Chromium exited with status $rc: $*"
    fi
}

echo "browser.sh: $("$browser" --version 2>/dev/null | tail -n 1)"

# require <file> <what> <fixed string>: the flattened file holds the string.
require() {
    [[ $(tr -d '\n' <"$1") == *"$3"* ]] || fail "$2: '$3' not found in $1"
}
# require_order <file> <what> <first> <second>: both are there, <first> before <second>.
require_order() {
    local text before
    text=$(tr -d '\n' <"$1")
    [[ $text == *"$3"* && $text == *"$4"* ]] || fail "$2: '$3' or '$4' not found in $1"
    before=${text%%"$4"*}
    [[ $before == *"$3"* ]] || fail "$2: '$3' is not before '$4' in $1"
}

# 2. With the script: negotiated HTML, sorted by the address.
dom="$work/dom.html"
browse "$dom" --dump-dom "$base/debug/registry#sort=entries-0.2.desc"
require "$dom" "the page's script did not run" '<html lang="en" data-sortable="ready">'
require "$dom" "/debug/registry did not give the browser HTML" '<title>roster: 3 registries</title>'
for registry in codecs drivers status_texts; do
    require "$dom" "registry $registry is not shown" "\">$registry</a></td>"
done
for key in '"gzip"' '"identity"' '"rot13"' '"postgres"' '"sqlite"' '200' '404'; do
    require "$dom" "key $key is not shown" "<td class=\"key\">$key</td>"
done
require "$dom" "the 2 misses of \"zstd\" are not shown" '<td class="key">"zstd"</td><td class="num">2</td>'
# gzip's row: key, where it was added, 3 hits.
[[ $(tr -d '\n' <"$dom") =~ \<td\ class=\"key\"\>\"gzip\"\</td\>\<td\ class=\"where\"[^\>]*\>[^\<]*main\.cpp:[0-9]+\</td\>\<td\ class=\"num\"\>3\</td\> ]] ||
    fail "gzip's row does not show where it was added and its 3 hits"
[[ $(tr -d '\n' <"$dom") =~ \<th\ [^\>]*aria-sort=\"descending\"[^\>]*\>Hits\</th\> ]] ||
    fail "the Hits column of codecs is not marked sorted (aria-sort=\"descending\")"
require_order "$dom" "codecs' entries are not sorted by hits, most first" '<td class="key">"rot13"</td>' '<td class="key">"identity"</td>'

# 3. The screenshot.
png="$work/diagnostics.png"
browse "$work/screenshot.log" --screenshot="$png" --window-size=1100,700 "$base/debug/registry.html"
[[ -s $png ]] || fail "Chromium wrote no screenshot"
signature=$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')
[[ $signature == 89504e470d0a1a0a ]] || fail "$png is not a PNG (signature $signature)"
# IHDR: width and height, big-endian 32-bit, at bytes 16..23.
size_hex=$(head -c 24 "$png" | tail -c 8 | od -An -tx1 | tr -d ' \n')
width=$((16#${size_hex:0:8}))
height=$((16#${size_hex:8:8}))
[[ $width -eq 1100 && $height -eq 700 ]] || fail "$png is ${width}x${height}, expected 1100x700"
bytes=$(wc -c <"$png")
[[ $bytes -gt 15000 ]] || fail "$png has only $bytes bytes: a blank page?"

stop_server

echo "browser.sh: OK: the page rendered in $("$browser" --version 2>/dev/null | tail -n 1 | cut -d' ' -f1-2): negotiated HTML, its script ran and sorted from the address; screenshot ${width}x${height}, $bytes bytes: $png"
