#!/usr/bin/env bash
# tests/fuzz/run.sh — builds and runs roster's libFuzzer suite (tests/fuzz/README.md).
#
#   tests/fuzz/run.sh <build-dir> [seconds-per-fuzzer]     (default 15 seconds)
#
# Compiles every fuzzer of tests/fuzz/ with clang++ and
# -fsanitize=fuzzer,address,undefined (two compiles at a time; a binary newer
# than every source and header is kept), copies each committed corpus
# (tests/fuzz/corpus/<name>/) into a temporary work directory (the committed
# corpus is never modified), runs each fuzzer for the given time, and prints
# what each one checked and the total. Exits
#   0  every fuzzer ran without a divergence, crash or leak;
#   1  one did: the reproducer's path and the commands to rerun and minimise
#      it are printed; or a fuzzer failed to compile;
#   77 clang++ cannot build a libFuzzer binary here (the suite is skipped);
#   2  bad arguments.
#
# Environment: CXX (default clang++); FUZZ_JOBS, how many fuzzers run at once
# (default 1: on a machine shared with other builds, two at a time got no
# more CPU time in all than one, and half the wall time); FUZZ_ONLY, a
# space-separated subset of the fuzzers to build and run; FUZZ_CXXFLAGS,
# more compiler flags (use another build
# directory: changing flags does not make a binary stale); ASAN_OPTIONS /
# UBSAN_OPTIONS are passed on (defaults below).
set -u -o pipefail

usage() {
    echo "usage: $0 <build-dir> [seconds-per-fuzzer]" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
seconds=${2:-15}
case $seconds in '' | *[!0-9]*) usage ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
mkdir -p "$1" || exit 2
build=$(cd "$1" && pwd)
cxx=${CXX:-clang++}
jobs=${FUZZ_JOBS:-1}
fuzzers=(core_registry hot_reload scoped_resolution handler_pattern sniffing_pattern)
if [ -n "${FUZZ_ONLY:-}" ]; then
    read -r -a fuzzers <<<"$FUZZ_ONLY"
fi
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined "-I$repo/include")
read -r -a extra_flags <<<"${FUZZ_CXXFLAGS:-}"

# ------------------------------------------------------------ can we build one?

probe=$build/probe
mkdir -p "$probe"
cat >"$probe/probe.cpp" <<'EOF'
#include <cstddef>
#include <cstdint>
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
EOF
if ! command -v "$cxx" >/dev/null 2>&1; then
    echo "fuzz: skipped: $cxx not found (set CXX to a clang++ with libFuzzer)"
    exit 77
fi
if ! "$cxx" "${flags[@]}" "$probe/probe.cpp" -o "$probe/probe" >"$probe/probe.log" 2>&1 ||
    ! "$probe/probe" -runs=1 >>"$probe/probe.log" 2>&1; then
    echo "fuzz: skipped: $cxx cannot build a libFuzzer binary (-fsanitize=fuzzer,address,undefined):"
    head -n 5 "$probe/probe.log" | sed 's/^/  /'
    exit 77
fi

# ------------------------------------------------------------ compile, two at a time

logs=$build/logs
mkdir -p "$logs"

# Whether $build/$1 is older than its source, tests/fuzz/fuzz.hpp or a roster header.
stale() {
    local binary=$build/$1
    [ -x "$binary" ] || return 0
    [ "$here/$1.cpp" -nt "$binary" ] || [ "$here/fuzz.hpp" -nt "$binary" ] ||
        [ -n "$(find "$repo/include" -name '*.hpp' -newer "$binary" -print -quit)" ]
}

compile() {
    local name=$1
    if "$cxx" "${flags[@]}" ${extra_flags[@]+"${extra_flags[@]}"} "$here/$name.cpp" -o "$build/$name.tmp" -lfmt \
        >"$logs/$name.compile.log" 2>&1; then
        mv "$build/$name.tmp" "$build/$name"
    else
        rm -f "$build/$name.tmp"
        return 1
    fi
}

echo "fuzz: building ${#fuzzers[@]} fuzzers in $build"
pids=()
names=()
failed_builds=()
for name in "${fuzzers[@]}"; do
    if [ ! -f "$here/$name.cpp" ]; then
        echo "fuzz: no fuzzer named $name" >&2
        exit 2
    fi
    stale "$name" || continue
    if [ ${#pids[@]} -ge 2 ]; then
        wait "${pids[0]}" || failed_builds+=("${names[0]}")
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    fi
    compile "$name" &
    pids+=($!)
    names+=("$name")
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed_builds+=("${names[$i]}")
done
if [ ${#failed_builds[@]} -gt 0 ]; then
    for name in "${failed_builds[@]}"; do
        echo "fuzz: $name failed to compile ($logs/$name.compile.log):"
        grep -m 10 -E 'error' "$logs/$name.compile.log" | sed 's/^/  /'
    done
    exit 1
fi

# ------------------------------------------------------------ run

work=$(mktemp -d "$build/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=2}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

run_one() {
    local name=$1
    local corpus=$work/$name artifacts=$build/artifacts/$name
    mkdir -p "$corpus" "$artifacts"
    if [ -d "$here/corpus/$name" ]; then
        cp "$here/corpus/$name"/* "$corpus"/ 2>/dev/null || true
    fi
    # -len_control=0 and -max_len=4096: long inputs from the start (one input
    # drives hundreds of operations); -entropic=0: the plain schedule, whose
    # bookkeeping costs less per input.
    "$build/$name" -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 -len_control=0 -entropic=0 \
        -timeout=20 -error_exitcode=1 -artifact_prefix="$artifacts/" "$corpus" >"$logs/$name.log" 2>&1
}

status=0
total_ops=0
total_inputs=0
ran=0
report() {
    local name=$1 code=$2
    local line
    line=$(grep -E "^fuzz $name: " "$logs/$name.log" | tail -n 1)
    if [ "$code" -eq 0 ] && [ -n "$line" ]; then
        local ops inputs speed
        ops=$(sed -E 's/^fuzz [^:]*: ([0-9]+) operations.*/\1/' <<<"$line")
        inputs=$(sed -E 's/.* ([0-9]+) inputs.*/\1/' <<<"$line")
        speed=$(grep -m 1 'stat::average_exec_per_sec' "$logs/$name.log" | awk '{print $2}')
        echo "$line (${speed:-?} inputs/s)"
        total_ops=$((total_ops + ops))
        total_inputs=$((total_inputs + inputs))
        ran=$((ran + 1))
        return
    fi
    status=1
    local artifact kind=crash
    artifact=$(grep -oE "Test unit written to [^ ]+" "$logs/$name.log" | tail -n 1 | sed 's/Test unit written to //')
    if grep -q 'DIVERGENCE' "$logs/$name.log"; then
        kind=divergence
    elif grep -q 'LeakSanitizer' "$logs/$name.log"; then
        kind=leak
    elif grep -q 'libFuzzer: timeout' "$logs/$name.log"; then
        kind=timeout
    fi
    echo "fuzz $name: FAILED ($kind, exit $code); the log is $logs/$name.log"
    grep -m 1 -A 3 -E 'DIVERGENCE|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$logs/$name.log" |
        cut -c 1-400 | sed 's/^/  /'
    if [ -n "$artifact" ]; then
        echo "  reproducer: $artifact"
        echo "  rerun:      $build/$name $artifact"
        echo "  minimise:   $build/$name -minimize_crash=1 -max_total_time=60 -exact_artifact_path=$artifact.min $artifact"
    fi
}

echo "fuzz: running each fuzzer for $seconds s"
if [ "$jobs" -le 1 ]; then
    for name in "${fuzzers[@]}"; do
        run_one "$name"
        report "$name" $?
    done
else
    declare -A running=()
    for name in "${fuzzers[@]}"; do
        if [ ${#running[@]} -ge "$jobs" ]; then
            wait -n -p finished
            code=$?
            report "${running[$finished]}" "$code"
            unset "running[$finished]"
        fi
        run_one "$name" &
        running[$!]=$name
    done
    while [ ${#running[@]} -gt 0 ]; do
        wait -n -p finished
        code=$?
        report "${running[$finished]}" "$code"
        unset "running[$finished]"
    done
fi

if [ "$status" -ne 0 ]; then
    echo "fuzz: FAILED: see above"
    exit 1
fi
echo "fuzz: total $total_ops operations model-checked in $total_inputs inputs across $ran fuzzers, 0 divergences"
