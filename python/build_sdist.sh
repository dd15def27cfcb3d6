#!/bin/sh
# make sdist: a source distribution (streampeer_tcp-VERSION.tar.gz in $2) of
# the Python package with the Rust crate inside (rust/: Cargo.toml,
# Cargo.lock, build.rs, cbindgen.toml, src/, include/), made by setuptools'
# PEP 517 hook with the Python $1 (the project's venv). Installing it runs
# setup.py's build_py, which builds the crate with `cargo build --release`
# and bundles the library (python/sdist_check.sh does exactly that).
set -eu
py=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
src=$out-src
rm -rf "$src" "$out"
mkdir -p "$src/rust" "$out"
cp -r python/pyproject.toml python/setup.py python/MANIFEST.in python/README.md python/streampeer_tcp "$src/"
cp -r Cargo.toml Cargo.lock build.rs cbindgen.toml src include "$src/rust/"
for f in LICENSE LICENSE.md LICENSE.txt COPYING; do
    if [ -f "$f" ]; then cp "$f" "$src/"; fi
done
find "$src" -name __pycache__ -prune -exec rm -rf {} +
out_abs=$(cd "$out" && pwd)
(cd "$src" && "$py" -c 'import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))' "$out_abs") > "$src.log" 2>&1 ||
    { cat "$src.log"; echo "make sdist: FAILED"; exit 1; }
ls "$out"
