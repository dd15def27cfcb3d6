#!/bin/sh
# Builds c-tests/install_smoke.c against an installed prefix through
# pkg-config, once against the shared library and once statically.
set -e
prefix=$1
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
