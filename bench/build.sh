#!/bin/sh
# Builds the benchmark program ($1) against the release library, with the
# libuv, SDL2_net and OpenSSL (bench/tls_openssl.c) peers when pkg-config
# finds them.
set -eu
out=$1
defs=
pkgs=
srcs=bench/bench.c
if pkg-config --exists libuv 2>/dev/null; then defs="$defs -DHAVE_LIBUV"; pkgs="$pkgs libuv"; fi
if pkg-config --exists SDL2_net 2>/dev/null; then defs="$defs -DHAVE_SDL2NET"; pkgs="$pkgs SDL2_net"; fi
if pkg-config --exists openssl 2>/dev/null; then
    defs="$defs -DHAVE_OPENSSL"; pkgs="$pkgs openssl"; srcs="$srcs bench/tls_openssl.c"
fi
cflags= libs=
if [ -n "$pkgs" ]; then
    cflags=$(pkg-config --cflags $pkgs)
    libs=$(pkg-config --libs $pkgs)
fi
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -Iinclude $defs $cflags -o "$out" $srcs \
    -Ltarget/release -lstreampeer_tcp -Wl,-rpath,"$(pwd)/target/release" $libs -lpthread
