#!/usr/bin/env bash
# Installs libsteady for C and C++ (and for cgo through pkg-config) under PREFIX:
#   LIBDIR/libsteady.so.X.Y.Z, libsteady.so.X -> it (the SONAME), libsteady.so -> libsteady.so.X
#   LIBDIR/libsteady.a
#   include/steady.h
#   LIBDIR/pkgconfig/steady.pc         pkg-config --cflags --libs steady   (--static: Libs.private)
#   LIBDIR/pkgconfig/steady-static.pc  pkg-config --cflags --libs steady-static   (libsteady.a)
#   LIBDIR/cmake/steady/steadyConfig.cmake, steadyConfigVersion.cmake   (steady::steady, steady::steady_static)
#
# Usage: packaging/install.sh [--no-build] [--rpath] [--relocatable] PREFIX
#   --no-build     install what `cargo build --release -p steady-ffi` built before (e.g. under sudo)
#   --rpath        add -Wl,-rpath,LIBDIR to Libs in steady.pc, so programs linked through
#                  pkg-config (cgo included) find libsteady.so.X at run time without
#                  LD_LIBRARY_PATH or ldconfig: for prefixes outside the loader's search path
#   --relocatable  prefix=${pcfiledir}/../.. in the .pc files instead of PREFIX, so the tree may
#                  be moved or unpacked anywhere (a tarball); the CMake package always is
# Environment: DESTDIR (staging root, not written into the files), LIBDIR (default lib),
#   CARGO_TARGET_DIR (default ./target), CARGO (default cargo), RUSTC (default rustc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

build=1
rpath=0
relocatable=0
prefix=""
while (($#)); do
    case "$1" in
        --no-build) build=0 ;;
        --rpath) rpath=1 ;;
        --relocatable) relocatable=1 ;;
        -h | --help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "install: unknown option $1" >&2; exit 2 ;;
        *)
            [[ -z "$prefix" ]] || { echo "install: one PREFIX only" >&2; exit 2; }
            prefix="$1"
            ;;
    esac
    shift
done
if [[ -z "$prefix" ]]; then
    echo "usage: packaging/install.sh [--no-build] [--rpath] [--relocatable] PREFIX" >&2
    exit 2
fi
case "$prefix" in
    /*) ;;
    *) prefix="$(pwd)/$prefix" ;;
esac
prefix="${prefix%/}"
libdir_rel="${LIBDIR:-lib}"
libdir_rel="${libdir_rel#/}"
libdir_rel="${libdir_rel%/}"
destdir="${DESTDIR:-}"
target="${CARGO_TARGET_DIR:-$root/target}"
release="$target/release"

if ((build)); then
    (cd "$root" && "${CARGO:-cargo}" build --release -p steady-ffi)
fi
for f in "$release/libsteady.so" "$release/libsteady.a" "$root/include/steady.h"; do
    if [[ ! -f "$f" ]]; then
        echo "install: $f is missing; run cargo build --release -p steady-ffi" >&2
        exit 1
    fi
done

# The version is the header's, which is generated from the crate's (tests/check-header.sh).
version="$(sed -n 's/^#define STEADY_VERSION "\(.*\)"$/\1/p' "$root/include/steady.h")"
if [[ ! "$version" =~ ^([0-9]+)\.[0-9]+\.[0-9]+ ]]; then
    echo "install: no STEADY_VERSION in include/steady.h" >&2
    exit 1
fi
major="${BASH_REMATCH[1]}"
soname="libsteady.so.$major"
real="libsteady.so.$version"
if command -v readelf >/dev/null; then
    built="$(readelf -d "$release/libsteady.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
    if [[ "$built" != "$soname" ]]; then
        echo "install: $release/libsteady.so has SONAME '${built:-none}', expected $soname" \
             "(ffi/build.rs sets it); rebuild with cargo build --release -p steady-ffi" >&2
        exit 1
    fi
fi

if ! native_libs="$(CARGO_TARGET_DIR="$target" "$here/native-static-libs.sh")"; then
    native_libs="-lz -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
    echo "install: rustc could not tell libsteady.a's native libraries; using '$native_libs'" \
         "(x86_64 Linux, glibc)" >&2
fi
cmake_native_libs="$(printf '%s\n' $native_libs | sed 's/^-l//' | paste -sd ';' -)"

libdir="$prefix/$libdir_rel"
rpath_flag=""
if ((rpath)); then
    rpath_flag=" -Wl,-rpath,\${libdir}"
fi
# From LIBDIR/cmake/steady (and LIBDIR/pkgconfig) back to PREFIX.
to_prefix="../.."
pc_to_prefix=".."
IFS=/ read -ra parts <<<"$libdir_rel"
for part in "${parts[@]}"; do
    if [[ -n "$part" && "$part" != . ]]; then
        to_prefix="$to_prefix/.."
        pc_to_prefix="$pc_to_prefix/.."
    fi
done
pc_prefix="$prefix"
if ((relocatable)); then
    pc_prefix="\${pcfiledir}/$pc_to_prefix"
fi
pointer_bits="$(getconf LONG_BIT 2>/dev/null || echo 64)"

subst() {
    sed -e "s|@PREFIX@|$pc_prefix|g" -e "s|@LIBDIR@|$libdir_rel|g" -e "s|@VERSION@|$version|g" \
        -e "s|@MAJOR@|$major|g" -e "s|@RPATH@|$rpath_flag|g" -e "s|@NATIVE_LIBS@|$native_libs|g" \
        -e "s|@CMAKE_NATIVE_LIBS@|$cmake_native_libs|g" -e "s|@TO_PREFIX@|$to_prefix|g" \
        -e "s|@POINTER_BYTES@|$((pointer_bits / 8))|g" -e "s|@POINTER_BITS@|$pointer_bits|g" "$1"
}

# Each file is written beside its destination and renamed over it, so a program running or
# linking against an earlier installation never sees a half-written file.
put() { # put MODE DEST [SOURCE] (no SOURCE: stdin)
    local tmp
    tmp="$(dirname "$2")/.$(basename "$2").tmp.$$"
    if (($# == 3)); then cp "$3" "$tmp"; else cat >"$tmp"; fi
    chmod "$1" "$tmp"
    mv -f "$tmp" "$2"
}
link() { # link TARGET NAME
    local tmp
    tmp="$(dirname "$2")/.$(basename "$2").tmp.$$"
    ln -sfn "$1" "$tmp"
    mv -Tf "$tmp" "$2"
}
d="$destdir$libdir"
mkdir -p "$d/pkgconfig" "$d/cmake/steady" "$destdir$prefix/include"
put 0755 "$d/$real" "$release/libsteady.so"
link "$real" "$d/$soname"
link "$soname" "$d/libsteady.so"
put 0644 "$d/libsteady.a" "$release/libsteady.a"
put 0644 "$destdir$prefix/include/steady.h" "$root/include/steady.h"
subst "$here/steady.pc.in" | put 0644 "$d/pkgconfig/steady.pc"
subst "$here/steady-static.pc.in" | put 0644 "$d/pkgconfig/steady-static.pc"
subst "$here/steadyConfig.cmake.in" | put 0644 "$d/cmake/steady/steadyConfig.cmake"
subst "$here/steadyConfigVersion.cmake.in" | put 0644 "$d/cmake/steady/steadyConfigVersion.cmake"
echo "install: steady $version in $destdir$prefix ($libdir_rel/$real, SONAME $soname)"
