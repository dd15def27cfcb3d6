#!/bin/sh
# make wheel: a manylinux wheel of python/streampeer_tcp, built with the
# virtual environment $1 into $2 (staged in $2-src).
#
# The library inside is built by cargo-zigbuild with Zig as the linker
# against glibc 2.17's symbols (target x86_64-unknown-linux-gnu.2.17), so
# the wheel is tagged py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64
# and installs on any glibc >= 2.17 distribution. Both tools come from PyPI
# (ziglang, cargo-zigbuild) into $1 the first time; their own target dir
# (target/manylinux) keeps that build apart from target/release.
set -eu
venv=$1
out=$2
src=$out-src
arch=$(uname -m)
case "$arch" in
    x86_64|aarch64) ;;
    *) echo "make wheel: no manylinux build for $arch"; exit 1 ;;
esac
glibc=2.17
target=$arch-unknown-linux-gnu
if [ ! -x "$venv/bin/cargo-zigbuild" ] || ! "$venv/bin/python" -c 'import ziglang' 2>/dev/null; then
    echo "make wheel: installing ziglang and cargo-zigbuild into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "ziglang==0.17.*" "cargo-zigbuild>=0.24,<0.25"
fi
venv_bin=$(cd "$venv/bin" && pwd)
target_dir=$(pwd)/target/manylinux
# cargo-zigbuild runs `python3 -m ziglang` when no zig is on PATH: the venv's.
# Zig's and cargo-zigbuild's caches (XDG_CACHE_HOME) stay in the target dir too.
PATH="$venv_bin:$PATH" CARGO_TARGET_DIR="$target_dir" XDG_CACHE_HOME="$target_dir/cache" \
    "$venv_bin/cargo-zigbuild" zigbuild --release --locked --lib --target "$target.$glibc"
lib=$target_dir/$target/release/libstreampeer_tcp.so
rm -rf "$src" "$out"
mkdir -p "$src"
cp -r python/pyproject.toml python/setup.py python/README.md python/streampeer_tcp "$src/"
rm -rf "$src/streampeer_tcp/__pycache__"
cp "$lib" "$src/streampeer_tcp/"
STREAMPEER_TCP_WHEEL_PLATFORM="manylinux_2_17_$arch.manylinux2014_$arch" \
    "$venv/bin/pip" wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w "$out" "$src"
ls "$out"
