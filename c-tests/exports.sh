#!/bin/sh
# make check-exports: the shared library exports exactly the functions the
# header declares (tools/abi.py), and nothing else: no Rust symbol, no
# unprefixed name.
set -u
lib=${1:-target/debug/libstreampeer_tcp.so}
if ! command -v nm >/dev/null 2>&1; then
    echo "check-exports: SKIPPED: nm is not installed (apt-get install binutils)"
    exit 0
fi
have=$(mktemp) want=$(mktemp)
trap 'rm -f "$have" "$want"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRtdbr]$/ {print $3}' | sort > "$have"
${PYTHON:-python3} -c 'import sys; sys.path.insert(0, "tools"); import abi; print("\n".join(sorted(f["name"] for f in abi.functions())))' > "$want"
if ! diff "$want" "$have" > /dev/null; then
    echo "check-exports: the library's exports differ from the header's functions (< header, > library):"
    diff "$want" "$have" | grep '^[<>]'
    echo "check-exports: 0 passed, 1 failed"
    exit 1
fi
echo "check-exports: $lib exports exactly the header's $(wc -l < "$want") functions"
