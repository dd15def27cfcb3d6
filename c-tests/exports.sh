#!/bin/sh
# make check-exports: the shared library exports exactly the functions the
# header declares (tools/abi.py), and nothing else: no Rust symbol, no
# unprefixed name; and (Linux) that its SONAME is libstreampeer_tcp.so.MAJOR.
set -u
lib=${1:-target/debug/libstreampeer_tcp.so}
if ! command -v nm >/dev/null 2>&1; then
    echo "check-exports: SKIPPED: nm is not installed (apt-get install binutils)"
    exit 0
fi
have=$(mktemp) want=$(mktemp)
trap 'rm -f "$have" "$want"' EXIT
# Every defined dynamic symbol, whatever its type (weak, indirect and
# absolute ones too), without a version suffix.
nm -D --defined-only "$lib" | awk 'NF >= 3 {sub(/@.*/, "", $3); print $3}' | sort > "$have"
${PYTHON:-python3} -c 'import sys; sys.path.insert(0, "tools"); import abi; print("\n".join(sorted(f["name"] for f in abi.functions())))' > "$want"
if ! diff "$want" "$have" > /dev/null; then
    echo "check-exports: the library's exports differ from the header's functions (< header, > library):"
    diff "$want" "$have" | grep '^[<>]'
    echo "check-exports: 0 passed, 1 failed"
    exit 1
fi
# On Linux the library's SONAME is libstreampeer_tcp.so.MAJOR (build.rs).
soname=
if [ "$(uname -s)" = Linux ] && command -v readelf >/dev/null 2>&1; then
    want_soname=libstreampeer_tcp.so.$(sed -n 's/^version = "\([0-9]*\)\..*/\1/p' Cargo.toml | head -n1)
    soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
    if [ "$soname" != "$want_soname" ]; then
        echo "check-exports: $lib has SONAME '$soname', not $want_soname"
        echo "check-exports: 0 passed, 1 failed"
        exit 1
    fi
    soname=", SONAME $soname"
fi
echo "check-exports: $lib exports exactly the header's $(wc -l < "$want") functions$soname"
