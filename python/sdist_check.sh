#!/bin/sh
# make sdist-check: the source distribution in $1 holds what a build needs,
# and `pip install streampeer_tcp-VERSION.tar.gz` in a fresh virtual
# environment builds it with cargo (pip's isolated build, setuptools from
# PyPI) and installs it; then python/roundtrip_check.py runs with it from a
# scratch folder, away from the build tree.
#
# cargo's target dir is the build tree's own target/ (the release build of
# `make lib` has compiled every dependency with the same settings), so only
# the crate itself is compiled again; SDIST_FRESH=1 uses none (the crate's
# own rust/target inside pip's temporary copy: a user's first install).
set -eu
dir=$1
sdist=$(ls "$dir"/streampeer_tcp-*.tar.gz | head -n1)
venv=build/sdist-venv
passed=0
members=$(${PYTHON:-python3} -c 'import sys, tarfile; print("\n".join(m.name.split("/", 1)[-1] for m in tarfile.open(sys.argv[1])))' "$sdist")
for f in PKG-INFO pyproject.toml setup.py README.md streampeer_tcp/__init__.py streampeer_tcp/_ffi.py \
         rust/Cargo.toml rust/Cargo.lock rust/build.rs rust/cbindgen.toml rust/src/lib.rs rust/include/streampeer_tcp.h; do
    echo "$members" | grep -qx "$f" || { echo "sdist-check: FAILED: $sdist has no $f"; exit 1; }
done
if echo "$members" | grep -E '\.(so|dylib|dll|a)$|(^|/)target/|__pycache__'; then
    echo "sdist-check: FAILED: $sdist carries build output (above)"; exit 1
fi
echo "sdist-check: ok: $sdist ($(echo "$members" | wc -l) files, $(du -k "$sdist" | cut -f1) KiB) has the package and the crate"
passed=$((passed + 1))
rm -rf "$venv"
${PYTHON:-python3} -m venv "$venv"
if [ "${SDIST_FRESH:-0}" = 1 ]; then
    unset CARGO_TARGET_DIR || true
else
    CARGO_TARGET_DIR=$(pwd)/target
    export CARGO_TARGET_DIR
fi
start=$(date +%s)
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir "$sdist" ||
    { echo "sdist-check: FAILED: pip install $sdist"; exit 1; }
echo "sdist-check: ok: pip install $sdist built it with cargo in $(($(date +%s) - start)) s (CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-none})"
passed=$((passed + 1))
py=$(cd "$venv/bin" && pwd)/python
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp python/roundtrip_check.py "$scratch/"
cd "$scratch"
unset PYTHONPATH STREAMPEER_TCP_LIB SPTCP_LIB || true
"$py" roundtrip_check.py
passed=$((passed + 1))
echo "sdist-check: $passed passed, 0 failed"
