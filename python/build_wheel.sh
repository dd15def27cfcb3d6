#!/bin/sh
# make wheel: a platform wheel of python/streampeer_tcp with the release
# library ($1) inside, built with the virtual environment's pip ($2) into
# $3 (staged in $3-src).
set -eu
lib=$1
pip=$2
out=$3
src=$out-src
rm -rf "$src" "$out"
mkdir -p "$src"
cp -r python/pyproject.toml python/setup.py python/README.md python/streampeer_tcp "$src/"
rm -rf "$src/streampeer_tcp/__pycache__"
cp "$lib" "$src/streampeer_tcp/"
"$pip" wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w "$out" "$src"
ls "$out"
