#!/usr/bin/env bash
# Usage: tests/consume/run.sh <roster-source-dir> <work-dir>
#
# Installs roster into <work-dir>/prefix, then checks every way of consuming it:
#   install           cmake --install puts the headers, the CMake package and
#                     roster.pc into <work-dir>/prefix
#   find_package      find_package(roster CONFIG REQUIRED) against the install
#   add_subdirectory  add_subdirectory(<roster-source-dir>)
#   fetch_content     FetchContent from the local <roster-source-dir>
#   pkg_config        a plain compiler command with `pkg-config --cflags --libs
#                     roster` against the install (no CMake)
#   version_refused   find_package(roster <older minor>) is refused by the
#                     installed version (0.0.1 for 0.1.0: while the major
#                     version is 0 a minor release may break)
#   version_accepted  find_package(roster <major>.<minor>) is accepted
#   deb_build         cpack -G DEB makes roster-dev_<version>_all.deb whose
#                     files are exactly those `cmake --install` installed
#   deb_fields        dpkg-deb -f: Package, Architecture, Depends, Version
#   deb_find_package  the find_package consumer against the .deb extracted
#                     (dpkg-deb -x) into <work-dir>, CMAKE_PREFIX_PATH=<it>/usr
#   deb_pkg_config    the pkg-config consumer against that extracted tree
# Nothing is installed on the system (no dpkg -i). Prints one line per step;
# exits non-zero if any of them failed. Needs cmake, a C++20 compiler,
# pkg-config (Debian: pkgconf or pkg-config) and dpkg-deb (Debian: dpkg).
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
deb_root="$work/deb-root"    # where the .deb is extracted

generator=()
if command -v ninja >/dev/null 2>&1; then
    generator=(-G Ninja)
fi

# The version, from its one source (as CMakeLists.txt reads it).
version_part() {
    sed -nE "s/^[[:space:]]*#[[:space:]]*define[[:space:]]+ROSTER_VERSION_$1[[:space:]]+([0-9]+).*/\1/p" \
        "$src/include/roster/version.hpp"
}
major=$(version_part MAJOR)
minor=$(version_part MINOR)
patch=$(version_part PATCH)
if [[ -z $major || -z $minor || -z $patch ]]; then
    echo "cannot read ROSTER_VERSION_MAJOR/MINOR/PATCH from $src/include/roster/version.hpp" >&2
    exit 2
fi
version="$major.$minor.$patch"
version_defines=(-DROSTER_EXPECTED_VERSION_MAJOR="$major" -DROSTER_EXPECTED_VERSION_MINOR="$minor"
                 -DROSTER_EXPECTED_VERSION_PATCH="$patch")

# A request the installed package must refuse, and one it must accept: while
# the major version is 0, an older minor (0.0.1 for 0.1.0); from 1.0 on, an
# older major. (0.0.x: a newer patch, refused by any policy.)
if ((major == 0 && minor > 0)); then
    refused_version="0.$((minor - 1)).1"
elif ((major == 0)); then
    refused_version="0.0.$((patch + 1))"
else
    refused_version="$((major - 1)).0"
fi
accepted_version="$major.$minor"

failures=0
failed_steps=()

report() { # report <name> <status> [seconds]
    printf '  consume %-18s %s%s\n' "$1" "$2" "${3:+ (${3}s)}"
}

# step <name> <function> [args...]: run <function> [args...] in a subshell
# with errexit (not as an `if` condition: that would switch errexit off),
# output to <work-dir>/<name>.log, shown on failure; report the result.
step() {
    local name=$1 log="$work/$1.log" rc start=$SECONDS
    shift
    set +e
    (set -euo pipefail; "$@") >"$log" 2>&1
    rc=$?
    set -e
    if ((rc == 0)); then
        report "$name" PASS $((SECONDS - start))
        return 0
    fi
    echo "---- $name failed (status $rc); log ($log):" >&2
    cat "$log" >&2
    report "$name" FAIL $((SECONDS - start))
    failures=$((failures + 1))
    failed_steps+=("$name")
}

# A step that needs an earlier one: FAIL without running when that one failed.
needs() { # needs <earlier step> <step>
    local earlier=$1 s
    for s in "${failed_steps[@]}"; do
        if [[ $s == "$earlier" ]]; then
            report "$2" "FAIL (not run: $earlier failed)"
            failures=$((failures + 1))
            failed_steps+=("$2")
            return 1
        fi
    done
    return 0
}

# --- steps ------------------------------------------------------------------------
install_roster() { # <src> <build dir> <prefix> [generator...]
    cmake -S "$1" -B "$2" "${@:4}" \
        -DCMAKE_BUILD_TYPE=Release \
        -DROSTER_BUILD_TESTS=OFF -DROSTER_BUILD_EXAMPLES=OFF -DROSTER_BUILD_BENCHMARKS=OFF
    cmake --build "$2"
    cmake --install "$2" --prefix "$3"
    test -f "$3/include/roster/roster.hpp"
    test -n "$(find "$3" -name roster-config.cmake)"
    test -f "$3/share/pkgconfig/roster.pc"
}

# cmake_consumer <source dir> <build dir> <cmake args...>: configure, build, run ./consumer.
cmake_consumer() {
    rm -rf "$2"
    cmake -S "$1" -B "$2" "${@:3}"
    cmake --build "$2"
    "$2/consumer" || { rc=$?; echo "consumer exited with status $rc"; exit "$rc"; }
    echo "consumer exited with status 0"
}

# pkg_config_consumer <installed prefix> <build dir> <expected version> <-D...>:
# pkg-config finds roster.pc under <prefix>/share/pkgconfig, its include
# directory is <prefix>/include (whatever path the file was installed or
# unpacked to), and a plain compiler command builds and runs the consumer.
pkg_config_consumer() {
    local root=$1 out=$2 expected=$3
    shift 3
    command -v pkg-config >/dev/null || { echo "pkg-config not found (Debian: apt-get install pkgconf)"; exit 1; }
    export PKG_CONFIG_PATH="$root/share/pkgconfig"
    pkg-config --exists --print-errors roster
    local got includedir cflags libs
    got=$(pkg-config --modversion roster)
    [[ $got == "$expected" ]] || { echo "pkg-config --modversion roster: $got, expected $expected"; exit 1; }
    includedir=$(pkg-config --variable=includedir roster)
    if [[ $(realpath -m "$includedir") != $(realpath -m "$root/include") ]]; then
        echo "roster.pc's includedir is $includedir, not $root/include (the .pc file is not relocatable)"
        exit 1
    fi
    cflags=$(pkg-config --cflags roster)
    libs=$(pkg-config --libs roster)
    echo "cflags: $cflags"
    echo "libs:   $libs"
    [[ " $libs " == *" -lfmt "* ]] || { echo "pkg-config --libs roster does not link fmt (Requires: fmt)"; exit 1; }
    rm -rf "$out"
    mkdir -p "$out"
    # shellcheck disable=SC2086 # the flags are words
    ${CXX:-c++} -std=c++20 "$@" $cflags "$here/pkg_config/main.cpp" -o "$out/consumer" $libs
    "$out/consumer" || { rc=$?; echo "consumer exited with status $rc"; exit "$rc"; }
    echo "consumer exited with status 0"
}

# version_check <refused|accepted> <requested version> <expected version> <prefix> <build dir> [generator...]
version_check() {
    local mode=$1 requested=$2 expected=$3 root=$4 out=$5 log
    shift 5
    rm -rf "$out"
    local args=(-S "$here/version" -B "$out" "$@" -DROSTER_PREFIX="$root"
                -DROSTER_REQUESTED_VERSION="$requested" -DROSTER_EXPECTED_VERSION="$expected")
    if [[ $mode == accepted ]]; then
        cmake "${args[@]}"
        return
    fi
    if log=$(cmake "${args[@]}" 2>&1); then
        echo "$log"
        echo "find_package(roster $requested) was accepted by roster $expected; it must be refused"
        exit 1
    fi
    echo "$log"
    # Refused for its version, not for any other reason (CMake wraps its
    # message: compare with the whitespace squeezed).
    log=$(tr -s '[:space:]' ' ' <<<"$log")
    if [[ $log != *"compatible with requested version \"$requested\""* ||
          $log != *"roster-config.cmake, version: $expected "* ]]; then
        echo "configure failed, but not because roster $expected refused version $requested"
        exit 1
    fi
    echo "find_package(roster $requested) refused by roster $expected, as it must be"
}

# deb_build <install build dir> <out dir> <version> <installed prefix> <extract dir>
deb_build() {
    local build=$1 out=$2 version=$3 installed=$4 root=$5
    command -v dpkg-deb >/dev/null || { echo "dpkg-deb not found (Debian: dpkg)"; exit 1; }
    rm -rf "$out" "$root"
    (cd "$build" && cpack -G DEB -B "$out")
    local deb="$out/roster-dev_${version}_all.deb"
    test -f "$deb" || { echo "cpack made no $deb:"; ls -l "$out"; exit 1; }
    dpkg-deb -x "$deb" "$root"
    # The package holds exactly what `cmake --install` installed, under /usr.
    if ! diff -r "$installed" "$root/usr"; then
        echo "the .deb's usr/ differs from the cmake --install tree above"
        exit 1
    fi
    if [[ -n $(find "$root" -mindepth 1 -maxdepth 1 ! -name usr) ]]; then
        echo "the .deb installs outside /usr:"
        find "$root" -mindepth 1 -maxdepth 1 ! -name usr
        exit 1
    fi
    echo "$deb: $(find "$root/usr" -type f | wc -l) files, the same as cmake --install"
}

# deb_fields <deb> <version>
deb_fields() {
    local deb=$1 version=$2 field want got bad=0
    for field in Package=roster-dev Architecture=all Depends=libfmt-dev "Version=$version"; do
        want=${field#*=}
        field=${field%%=*}
        got=$(dpkg-deb -f "$deb" "$field")
        echo "$field: $got"
        if [[ $got != "$want" ]]; then
            echo "  expected $field: $want"
            bad=1
        fi
    done
    for field in Maintainer Description Section; do
        got=$(dpkg-deb -f "$deb" "$field")
        echo "$field: ${got%%$'\n'*}"
        [[ -n $got ]] || { echo "  the $field field is empty"; bad=1; }
    done
    exit "$bad"
}

# --- run ----------------------------------------------------------------------------
rm -rf "$work/install-build" "$prefix"
step install install_roster "$src" "$work/install-build" "$prefix" "${generator[@]}"

for consumer in find_package add_subdirectory fetch_content; do
    args=(-DCMAKE_BUILD_TYPE=Release)
    case $consumer in
        find_package)
            needs install "$consumer" || continue
            args+=("-DCMAKE_PREFIX_PATH=$prefix" "-DROSTER_EXPECTED_PREFIX=$prefix") ;;
        *) args+=("-DROSTER_SOURCE_DIR=$src") ;;
    esac
    step "$consumer" cmake_consumer "$here/$consumer" "$work/$consumer" "${generator[@]}" "${args[@]}"
done

if needs install pkg_config; then
    step pkg_config pkg_config_consumer "$prefix" "$work/pkg_config" "$version" "${version_defines[@]}"
fi
if needs install version_refused; then
    step version_refused version_check refused "$refused_version" "$version" "$prefix" "$work/version_refused" "${generator[@]}"
fi
if needs install version_accepted; then
    step version_accepted version_check accepted "$accepted_version" "$version" "$prefix" "$work/version_accepted" "${generator[@]}"
fi

deb="$work/deb/roster-dev_${version}_all.deb"
if needs install deb_build; then
    step deb_build deb_build "$work/install-build" "$work/deb" "$version" "$prefix" "$deb_root"
fi
if needs deb_build deb_fields; then
    step deb_fields deb_fields "$deb" "$version"
fi
if needs deb_build deb_find_package; then
    step deb_find_package cmake_consumer "$here/find_package" "$work/deb_find_package" "${generator[@]}" \
        -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$deb_root/usr" "-DROSTER_EXPECTED_PREFIX=$deb_root/usr"
fi
if needs deb_build deb_pkg_config; then
    step deb_pkg_config pkg_config_consumer "$deb_root/usr" "$work/deb_pkg_config" "$version" "${version_defines[@]}"
fi

if ((failures > 0)); then
    echo "consume: $failures step(s) failed: ${failed_steps[*]}" >&2
    exit 1
fi
echo "consume: all steps passed"
