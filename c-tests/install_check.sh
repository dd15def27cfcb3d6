#!/bin/sh
# make install-check: installs into a scratch prefix and checks the layout
# (.so -> .so.0 -> .so.0.MINOR.PATCH, the SONAME, the CMake files); builds
# c-tests/install_smoke.c against it through pkg-config, once against the
# shared library and once statically, the way a user would; builds the
# CMake consumer (c-tests/cmake_check.sh, which also moves the tree); then
# installs with PREFIX=/usr into a DESTDIR and checks the layout.
set -e
stage=$(pwd)/build/stage-prefix
rm -rf "$stage"
${MAKE:-make} --no-print-directory install PREFIX="$stage" DESTDIR= BUILD=build/install-build
prefix=$stage
out=build/install-check
mkdir -p "$out"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
soname=libstreampeer_tcp.so.${version%%.*}

fail() {
    echo "install-check: $*"
    exit 1
}

# The shared library as real file + two relative links; its SONAME.
# $1: the installed lib directory.
check_lib_layout() {
    [ -f "$1/libstreampeer_tcp.so.$version" ] && [ ! -L "$1/libstreampeer_tcp.so.$version" ] \
        || fail "$1/libstreampeer_tcp.so.$version is not a regular file"
    [ "$(readlink "$1/$soname")" = "libstreampeer_tcp.so.$version" ] \
        || fail "$1/$soname does not link to libstreampeer_tcp.so.$version"
    [ "$(readlink "$1/libstreampeer_tcp.so")" = "$soname" ] \
        || fail "$1/libstreampeer_tcp.so does not link to $soname"
    test -f "$1/libstreampeer_tcp.a"
    test -f "$1/cmake/streampeer_tcp/streampeer_tcpConfig.cmake"
    test -f "$1/cmake/streampeer_tcp/streampeer_tcpConfigVersion.cmake"
    if command -v readelf >/dev/null 2>&1; then
        have=$(readelf -d "$1/libstreampeer_tcp.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
        [ "$have" = "$soname" ] || fail "the SONAME is '$have', not $soname"
    fi
}

# NEEDED entries of an ELF file, one a line.
needed() {
    readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'
}

check_lib_layout "$prefix/lib"
if [ -f include/streampeer_tcp.hpp ]; then
    test -f "$prefix/include/streampeer_tcp.hpp" || fail "include/streampeer_tcp.hpp was not installed"
fi
if command -v readelf >/dev/null 2>&1; then
    echo "install-check: lib/libstreampeer_tcp.so -> $soname -> libstreampeer_tcp.so.$version, SONAME $soname"
else
    echo "install-check: lib/libstreampeer_tcp.so -> $soname -> libstreampeer_tcp.so.$version (SONAME not checked: no readelf, apt-get install binutils)"
fi

if ! command -v pkg-config >/dev/null 2>&1; then
    echo "install-check: pkg-config builds SKIPPED: pkg-config is not installed (apt-get install pkgconf)"
else
    export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
    cflags=$(pkg-config --cflags streampeer_tcp)
    echo "pkg-config: streampeer_tcp $(pkg-config --modversion streampeer_tcp)"
    ${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags -o "$out/smoke_shared" c-tests/install_smoke.c \
        $(pkg-config --libs streampeer_tcp)
    LD_LIBRARY_PATH="$prefix/lib" "$out/smoke_shared"
    ${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags -o "$out/smoke_static" c-tests/install_smoke.c \
        "$prefix/lib/libstreampeer_tcp.a" $(pkg-config --static --libs-only-l streampeer_tcp | sed 's/-lstreampeer_tcp//')
    "$out/smoke_static"
    if command -v readelf >/dev/null 2>&1; then
        needed "$out/smoke_shared" | grep -qx "$soname" \
            || fail "smoke_shared does not record NEEDED $soname: $(needed "$out/smoke_shared" | tr '\n' ' ')"
        if needed "$out/smoke_static" | grep -q libstreampeer_tcp; then
            fail "smoke_static needs the shared library"
        fi
        echo "install-check: smoke_shared NEEDED $soname; smoke_static needs no libstreampeer_tcp"
    fi
fi

sh c-tests/cmake_check.sh "$prefix"

destdir=$(pwd)/build/destdir
rm -rf "$destdir"
${MAKE:-make} --no-print-directory install PREFIX=/usr DESTDIR="$destdir" BUILD=build/install-build-destdir
test -f "$destdir/usr/include/streampeer_tcp.h"
check_lib_layout "$destdir/usr/lib"
grep -q '^prefix=/usr$' "$destdir/usr/lib/pkgconfig/streampeer_tcp.pc"
if cat "$destdir"/usr/lib/cmake/streampeer_tcp/*.cmake | grep -v '^ *#' | grep -e "$destdir" -e /usr/; then
    fail "the CMake files name an absolute path"
fi
echo "install-check: PREFIX and DESTDIR layouts OK"
