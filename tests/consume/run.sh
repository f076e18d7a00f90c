#!/usr/bin/env bash
# Usage: tests/consume/run.sh <roster-source-dir> <work-dir>
#
# Installs roster into <work-dir>/prefix, then configures, builds and runs the
# three consumer projects next to this script:
#   find_package      find_package(roster CONFIG REQUIRED) against the install
#   add_subdirectory  add_subdirectory(<roster-source-dir>)
#   fetch_content     FetchContent from the local <roster-source-dir>
# Prints one line per step; exits non-zero if any of them failed.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <roster-source-dir> <work-dir>" >&2
    exit 2
fi

src=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix="$work/prefix"

generator=()
if command -v ninja >/dev/null 2>&1; then
    generator=(-G Ninja)
fi

failures=0

# run_logged <label> <log> <command...>: run quietly, show the log on failure.
run_logged() {
    local label=$1 log=$2
    shift 2
    if "$@" >"$log" 2>&1; then
        return 0
    fi
    echo "---- $label failed; log ($log):" >&2
    cat "$log" >&2
    return 1
}

report() { # report <name> <status>
    printf '  consume %-18s %s\n' "$1" "$2"
}

# --- install roster -------------------------------------------------------------
rm -rf "$work/install-build" "$prefix"
if run_logged "install" "$work/install.log" bash -c '
        set -euo pipefail
        cmake -S "$1" -B "$2" "${@:4}" \
            -DCMAKE_BUILD_TYPE=Release \
            -DROSTER_BUILD_TESTS=OFF -DROSTER_BUILD_EXAMPLES=OFF -DROSTER_BUILD_BENCHMARKS=OFF
        cmake --build "$2"
        cmake --install "$2" --prefix "$3"
        test -f "$3/include/roster/roster.hpp"
        test -n "$(find "$3" -name roster-config.cmake)"
    ' _ "$src" "$work/install-build" "$prefix" "${generator[@]}"; then
    report install PASS
else
    report install FAIL
    failures=$((failures + 1))
fi

# --- consumers ------------------------------------------------------------------
for consumer in find_package add_subdirectory fetch_content; do
    bdir="$work/$consumer"
    rm -rf "$bdir"
    args=(-DCMAKE_BUILD_TYPE=Release)
    case $consumer in
        find_package) args+=("-DCMAKE_PREFIX_PATH=$prefix") ;;
        *) args+=("-DROSTER_SOURCE_DIR=$src") ;;
    esac
    if run_logged "$consumer" "$work/$consumer.log" bash -c '
            set -euo pipefail
            cmake -S "$1" -B "$2" "${@:3}"
            cmake --build "$2"
            "$2/consumer" || { rc=$?; echo "consumer exited with status $rc"; exit "$rc"; }
            echo "consumer exited with status 0"
        ' _ "$here/$consumer" "$bdir" "${generator[@]}" "${args[@]}"; then
        report "$consumer" PASS
    else
        report "$consumer" FAIL
        failures=$((failures + 1))
    fi
done

if ((failures > 0)); then
    echo "consume: $failures step(s) failed" >&2
    exit 1
fi
echo "consume: all consumers passed"
