#!/bin/sh
# The wheel ($1) is a manylinux_2_17 one: its tag says so, its native library
# references no glibc symbol version newer than 2.17 (objdump, else readelf),
# and `auditwheel show` (installed into the virtual environment $2 the first
# time) finds it consistent with manylinux_2_17. Prints "N passed, N failed".
set -u
wheel=$1
venv=$2
max_glibc=2.17
arch=$(uname -m)
passed=0 failed=0
ok() { echo "manylinux-check: ok: $*"; passed=$((passed + 1)); }
bad() { echo "manylinux-check: FAILED: $*"; failed=$((failed + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case "$(basename "$wheel")" in
    *-py3-none-manylinux_2_17_$arch.manylinux2014_$arch.whl) ok "tagged py3-none-manylinux_2_17_$arch.manylinux2014_$arch" ;;
    *) bad "$(basename "$wheel") is not tagged py3-none-manylinux_2_17_$arch" ;;
esac

"$venv/bin/python" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("streampeer_tcp/libstreampeer_tcp.so", sys.argv[2])' \
    "$wheel" "$tmp" || { bad "no streampeer_tcp/libstreampeer_tcp.so at the wheel's root"; echo "manylinux-check: $passed passed, $failed failed"; exit 1; }
lib=$tmp/streampeer_tcp/libstreampeer_tcp.so
if command -v objdump >/dev/null 2>&1; then
    refs=$(objdump -T -p "$lib")
elif command -v readelf >/dev/null 2>&1; then
    refs=$(readelf -W --dyn-syms -V "$lib")
else
    refs=$("$venv/bin/python" -c 'import sys; print(open(sys.argv[1], "rb").read().decode("latin-1"))' "$lib")
fi
versions=$(echo "$refs" | grep -o 'GLIBC_[0-9][0-9.]*[0-9]' | sed 's/^GLIBC_//' | sort -u -t. -k1,1n -k2,2n -k3,3n)
newest=$(echo "$versions" | tail -n1)
echo "manylinux-check: glibc versions referenced: $(echo $versions)"
too_new=$(echo "$versions" | awk -F. -v max="$max_glibc" 'BEGIN { split(max, m, ".") }
    $1 > m[1] || ($1 == m[1] && $2 > m[2]) { print "GLIBC_" $0 }')
if [ -z "$versions" ]; then
    bad "found no GLIBC_ version reference in the library (is it a glibc build?)"
elif [ -n "$too_new" ]; then
    bad "the library needs $(echo $too_new), newer than GLIBC_$max_glibc:"
    echo "$refs" | grep -E "$(echo $too_new | sed 's/ /|/g; s/\./\\./g')([^0-9.]|$)" | head -n 20
else
    ok "the newest glibc symbol version is GLIBC_$newest (<= $max_glibc)"
fi

if [ ! -x "$venv/bin/auditwheel" ]; then
    echo "manylinux-check: installing auditwheel into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "auditwheel>=6,<7"
fi
show=$("$venv/bin/auditwheel" show "$wheel" 2>&1)
echo "$show" | sed 's/^/    /'
if echo "$show" | tr -s ' \n' '  ' | grep -q "is consistent with the following platform tag: \"manylinux_2_17_$arch\""; then
    ok "auditwheel show: consistent with manylinux_2_17_$arch"
else
    bad "auditwheel show does not find the wheel consistent with manylinux_2_17_$arch"
fi
echo "manylinux-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
