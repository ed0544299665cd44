#!/usr/bin/env bash
# Installs libsteady into a temporary prefix with packaging/install.sh (what `make install` runs)
# and builds tests/c/example.c out of the checkout as a user would, with nothing but
# PKG_CONFIG_PATH or CMAKE_PREFIX_PATH pointing at the prefix:
#   pkg-config --cflags --libs steady                shared, NEEDED libsteady.so.0
#   pkg-config --static --cflags --libs steady-static   libsteady.a, no libsteady at run time
#   pkg-config --static --libs steady                Libs.private, with the archive for -lsteady
#   CMake find_package(steady): steady::steady, steady::steady_static, a C++ program, and a
#   version the package must refuse
#   an install --relocatable moved elsewhere, through pkg-config and CMake
# then runs every program against the local broker.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
start=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/steady-dist-c.XXXXXX")"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
app="$work/app"

"$root/packaging/install.sh" "$prefix"

# The build sees the prefix only through PKG_CONFIG_PATH / CMAKE_PREFIX_PATH.
unset CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH LIBRARY_PATH LD_LIBRARY_PATH LD_RUN_PATH \
    PKG_CONFIG_PATH PKG_CONFIG_LIBDIR CMAKE_PREFIX_PATH CFLAGS CXXFLAGS LDFLAGS
mkdir -p "$app"
cp "$root/tests/c/example.c" "$app/"
cd "$app"

fail() { echo "dist-c: $*" >&2; exit 1; }
# The dynamic section's NEEDED, SONAME and RUNPATH lines, captured whole: under pipefail a grep
# that quits at its first match could fail the pipeline through SIGPIPE.
dynamic() {
    local out
    out="$(readelf -d "$1")"
    grep -E '\((NEEDED|SONAME|RUNPATH|RPATH)\)' <<<"$out" || true
}

lib="$prefix/lib"
soname="$(dynamic "$lib/libsteady.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
[[ "$soname" == libsteady.so.0 ]] || fail "installed libsteady.so has SONAME '$soname'"
[[ "$(readlink "$lib/libsteady.so")" == libsteady.so.0 ]] || fail "libsteady.so is not a link to libsteady.so.0"
[[ -f "$lib/$(readlink "$lib/libsteady.so.0")" ]] || fail "libsteady.so.0 links to nothing"
for f in "$lib"/libsteady.so*; do
    if [[ -L "$f" ]]; then echo "dist-c: ${f##*/} -> $(readlink "$f")"; else echo "dist-c: ${f##*/}"; fi
done
echo "dist-c: SONAME $soname"

pc() { PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config "$@"; }
[[ "$(pc --modversion steady)" == "$(sed -n 's/^#define STEADY_VERSION "\(.*\)"$/\1/p' "$root/include/steady.h")" ]] ||
    fail "steady.pc has version $(pc --modversion steady)"
private="$(pc --static --libs steady)"
[[ "$private" == *-lz* && "$private" == *-lpthread* ]] || fail "steady.pc has no Libs.private: $private"
echo "dist-c: pkg-config --cflags --libs steady: $(pc --cflags --libs steady)"
echo "dist-c: pkg-config --static --libs steady: $private"
echo "dist-c: pkg-config --static --libs steady-static: $(pc --static --libs steady-static)"

warn=(-std=c11 -Wall -Wextra -Wpedantic -Werror)
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
cc "${warn[@]}" example.c $(pc --cflags --libs steady) -o example-shared
# shellcheck disable=SC2046
cc "${warn[@]}" example.c $(pc --static --cflags --libs steady-static) -o example-static
# A build system that prefers archives (Meson's static: true) links libsteady.a for -lsteady
# and adds Libs.private.
# shellcheck disable=SC2046
cc "${warn[@]}" example.c $(pc --cflags steady) ${private/-lsteady/$lib/libsteady.a} -o example-private

echo "dist-c: readelf -d example-shared:"
dynamic example-shared | sed 's/^/    /'
grep -q 'NEEDED.*\[libsteady\.so\.0\]' <<<"$(dynamic example-shared)" || fail "example-shared does not need libsteady.so.0"
for bin in example-static example-private; do
    if grep -q libsteady <<<"$(dynamic "$bin")"; then
        fail "$bin needs libsteady at run time"
    fi
done
if grep -q -E 'RUNPATH|RPATH' <<<"$(dynamic example-shared)"; then
    fail "example-shared has an rpath, yet steady.pc of a plain install sets none"
fi

cat >CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(steady_dist_c LANGUAGES C CXX)
find_package(steady 0.1 REQUIRED)
message(STATUS "steady ${steady_VERSION} from ${steady_DIR}")
add_executable(example-cmake example.c)
target_link_libraries(example-cmake PRIVATE steady::steady)
add_executable(example-cmake-static example.c)
target_link_libraries(example-cmake-static PRIVATE steady::steady_static)
add_executable(version-cxx version.cpp)
target_compile_features(version-cxx PRIVATE cxx_std_17)
target_link_libraries(version-cxx PRIVATE steady::steady)
CMAKE
cat >version.cpp <<'CXX'
#include <cstring>
#include <iostream>

#include "steady.h"

int main() {
    std::cout << "steady " << steady_version() << " (header " << STEADY_VERSION << ")\n";
    return std::strcmp(steady_version(), STEADY_VERSION) == 0 ? 0 : 1;
}
CXX
cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >cmake.log ||
    { cat cmake.log >&2; fail "cmake configure failed"; }
grep 'steady ' cmake.log | sed 's/^/    /'
cmake --build build -j 2 >>cmake.log 2>&1 || { cat cmake.log >&2; fail "cmake build failed"; }
echo "dist-c: readelf -d build/example-cmake:"
dynamic build/example-cmake | sed 's/^/    /'
grep -q 'NEEDED.*\[libsteady\.so\.0\]' <<<"$(dynamic build/example-cmake)" || fail "example-cmake does not need libsteady.so.0"
if grep -q libsteady <<<"$(dynamic build/example-cmake-static)"; then
    fail "example-cmake-static needs libsteady at run time"
fi
build/version-cxx

# find_package must refuse a version with another major.
mkdir -p refuse
cat >refuse/CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(steady_refuse LANGUAGES C)
find_package(steady 1.0 QUIET)
if(steady_FOUND)
  message(FATAL_ERROR "find_package(steady 1.0) accepted steady ${steady_VERSION}")
endif()
CMAKE
cmake -S refuse -B refuse/build -DCMAKE_PREFIX_PATH="$prefix" >>cmake.log 2>&1 ||
    { cat cmake.log >&2; fail "find_package(steady 1.0) did not refuse this version"; }

# A relocatable tree (what `make dist` packs) still works once moved elsewhere.
"$root/packaging/install.sh" --no-build --relocatable "$work/packed" >/dev/null
mv "$work/packed" "$work/unpacked"
moved="$work/unpacked"
# shellcheck disable=SC2046
cc "${warn[@]}" example.c $(PKG_CONFIG_PATH="$moved/lib/pkgconfig" pkg-config --cflags --libs steady) \
    -o example-moved
loaded="$(LD_LIBRARY_PATH="$moved/lib" ldd example-moved)"
[[ "$loaded" == *"$moved/lib/libsteady.so.0"* ]] ||
    fail "example-moved does not load libsteady.so.0 from the moved tree: $loaded"
cmake -S . -B build-moved -DCMAKE_PREFIX_PATH="$moved" >>cmake.log 2>&1 ||
    { cat cmake.log >&2; fail "cmake configure against the moved tree failed"; }
cmake --build build-moved --target version-cxx >>cmake.log 2>&1 || { cat cmake.log >&2; fail "cmake build against the moved tree failed"; }
build-moved/version-cxx >/dev/null
grep -q "RUNPATH.*$moved/lib" <<<"$(dynamic build-moved/version-cxx)" || fail "version-cxx does not use the moved tree"
echo "dist-c: a relocatable tree works after a move"

bootstrap="$("$root/tests/kafka/kafka.sh" start | tail -n1 | sed 's/^bootstrap=//')"
topic="steady-dist-c-$$-$(date +%s)"
"$root/tests/kafka/kafka.sh" topic create "$topic" 1
printf 'n:1\tk1\thello\nn:2\tk2\tsteady\nn:3\tk3\tworld\n' | "$root/tests/c/produce.sh" "$bootstrap" "$topic"

run() {
    local name="$1"
    shift
    echo "dist-c: run $name"
    "$@" "$bootstrap" "$topic" "$topic-$name" 3 >"$name.out" || { cat "$name.out" >&2; fail "$name failed"; }
    grep -q "@2: world" "$name.out" || { cat "$name.out" >&2; fail "$name did not consume the topic"; }
}
# The pkg-config build has no rpath (a plain install): the loader finds the library the way it
# finds any library outside its search path. CMake's build tree carries an rpath to the prefix.
run example-shared env LD_LIBRARY_PATH="$lib" ./example-shared
run example-static ./example-static
run example-private ./example-private
run example-cmake build/example-cmake
run example-cmake-static build/example-cmake-static
echo "dist-c: passed in $((SECONDS - start)) s"
