#!/bin/sh
# make install-check: installs into a scratch prefix and builds
# c-tests/install_smoke.c against it through pkg-config, once against the
# shared library and once statically, the way a user would; then installs
# with PREFIX=/usr into a DESTDIR and checks the layout.
set -e
stage=$(pwd)/build/stage-prefix
rm -rf "$stage"
${MAKE:-make} --no-print-directory install PREFIX="$stage" DESTDIR= BUILD=build/install-build
prefix=$stage
out=build/install-check
mkdir -p "$out"
if ! command -v pkg-config >/dev/null 2>&1; then
    echo "install-check: SKIPPED: pkg-config is not installed (apt-get install pkgconf)"
    exit 0
fi
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags streampeer_tcp)
echo "pkg-config: streampeer_tcp $(pkg-config --modversion streampeer_tcp)"
${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags -o "$out/smoke_shared" c-tests/install_smoke.c \
    $(pkg-config --libs streampeer_tcp)
LD_LIBRARY_PATH="$prefix/lib" "$out/smoke_shared"
${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags -o "$out/smoke_static" c-tests/install_smoke.c \
    "$prefix/lib/libstreampeer_tcp.a" $(pkg-config --static --libs-only-l streampeer_tcp | sed 's/-lstreampeer_tcp//')
"$out/smoke_static"

destdir=$(pwd)/build/destdir
rm -rf "$destdir"
${MAKE:-make} --no-print-directory install PREFIX=/usr DESTDIR="$destdir" BUILD=build/install-build-destdir
test -f "$destdir/usr/include/streampeer_tcp.h"
test -f "$destdir/usr/lib/libstreampeer_tcp.so"
grep -q '^prefix=/usr$' "$destdir/usr/lib/pkgconfig/streampeer_tcp.pc"
echo "install-check: PREFIX and DESTDIR layouts OK"
