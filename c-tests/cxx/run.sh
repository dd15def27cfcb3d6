#!/bin/sh
# Builds and runs the C++ wrapper's checks (include/streampeer_tcp.hpp)
# against target/debug:
#   - coverage.py: every C function and constant has a C++ counterpart;
#   - test_cxx.cpp and the examples/cxx_*.cpp, built with $CXX (default
#     c++) and clang++ if present, -std=c++17 -Wall -Wextra -Werror
#     -Wpedantic -fno-exceptions -fno-rtti (plus stricter warnings for the
#     header: -Wshadow -Wconversion -Wold-style-cast ...);
#   - test_cxx under valgrind and under ASan+UBSan (SKIPPED when missing),
#     each proven to work by a leaking canary that must fail;
#   - the echo examples, server and client, once over loopback.
# Prints "cxx: N passed, N failed" (test checks plus one per step) and
# exits 1 on any failure.
#
#   sh c-tests/cxx/run.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
start=$(date +%s)
out=build/cxx
mkdir -p "$out"
# Certificates for test_cxx's TLS part (the openssl command).
sh c-tests/tls_certs.sh "$out/certs" > "$out/certs.log" 2>&1 || echo "cxx: no openssl: test_cxx's TLS part will fail"
SPTCP_TLS_CERTS=$(pwd)/$out/certs
export SPTCP_TLS_CERTS
lib=target/debug
if [ ! -f "$lib/libstreampeer_tcp.so" ]; then
    cargo build --locked || exit 1
fi
FLAGS="-std=c++17 -Wall -Wextra -Werror -Wpedantic -fno-exceptions -fno-rtti -g -O1"
STRICT="-Wshadow -Wconversion -Wsign-conversion -Wold-style-cast -Wcast-qual -Wzero-as-null-pointer-constant"
LINK="-pthread -L$lib -lstreampeer_tcp -Wl,-rpath,$(pwd)/$lib"
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --suppressions=c-tests/valgrind.supp"
pass=0
fail=0
ok() { echo "cxx: $1: ok"; pass=$((pass + 1)); }
bad() { echo "cxx: $1: FAILED"; fail=$((fail + 1)); }

# Adds the "name: N passed, N failed" line of a run to the totals.
count() { # log file, step name, exit status
    line=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ] || [ "$3" -ne 0 ]; then
        cat "$1"
        echo "cxx: $2: FAILED (exit $3)${line:+, $line}"
        fail=$((fail + 1))
        [ -n "$line" ] || return
    else
        echo "cxx: $2: ${line#*: }"
    fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.*, ([0-9]+) failed.*/\1/')
    pass=$((pass + p))
    fail=$((fail + f))
}

python3 c-tests/cxx/coverage.py > "$out/coverage.log" 2>&1
count "$out/coverage.log" coverage $?

compilers=${CXX:-c++}
if command -v clang++ >/dev/null 2>&1 && ! ${CXX:-c++} --version 2>/dev/null | grep -q clang; then
    compilers="$compilers clang++"
fi
first=
firstcxx=
for cxx in $compilers; do
    tag=$(basename "$cxx")
    if $cxx $FLAGS $STRICT -Iinclude -o "$out/test_cxx-$tag" c-tests/cxx/test_cxx.cpp $LINK 2> "$out/build-$tag.log" &&
        $cxx $FLAGS $STRICT -O2 -Iinclude -o "$out/cxx_echo_server-$tag" examples/cxx_echo_server.cpp $LINK 2>> "$out/build-$tag.log" &&
        $cxx $FLAGS $STRICT -O2 -Iinclude -o "$out/cxx_echo_client-$tag" examples/cxx_echo_client.cpp $LINK 2>> "$out/build-$tag.log"; then
        ok "$tag: build (-fno-exceptions -fno-rtti, strict warnings)"
    else
        cat "$out/build-$tag.log"
        bad "$tag: build"
        continue
    fi
    [ -n "$first" ] || { first=$tag; firstcxx=$cxx; }
    timeout 120 "$out/test_cxx-$tag" > "$out/run-$tag.log" 2>&1
    count "$out/run-$tag.log" "$tag: test_cxx" $?
done
if [ -z "$first" ]; then
    echo "cxx: $pass passed, $((fail + 1)) failed (nothing built)"
    exit 1
fi

# valgrind: the tests must be clean, the canary must be caught.
if command -v valgrind >/dev/null 2>&1; then
    timeout 300 $VG "$out/test_cxx-$first" > "$out/valgrind.log" 2>&1
    count "$out/valgrind.log" "valgrind: test_cxx" $?
    if ! $firstcxx $FLAGS -Iinclude -o "$out/canary" c-tests/cxx/canary.cpp $LINK; then
        bad "valgrind: building the canary"
    elif $VG "$out/canary" > "$out/valgrind-canary.log" 2>&1; then
        bad "valgrind: the leaking canary passed: valgrind does not see the library"
    else
        ok "valgrind: canary caught ($(grep -m1 -oE '[0-9,]+ \([^)]*\) bytes in [0-9,]+ blocks are definitely lost' "$out/valgrind-canary.log"))"
    fi
else
    echo "cxx: valgrind: SKIPPED: valgrind is not installed (apt-get install valgrind)"
fi

# ASan + UBSan on the C++ side (the library itself is not instrumented,
# but its allocations go through the intercepted malloc).
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if $firstcxx $FLAGS $SAN -Iinclude -o "$out/test_cxx-asan" c-tests/cxx/test_cxx.cpp $LINK 2> "$out/asan-build.log" &&
    $firstcxx $FLAGS $SAN -Iinclude -o "$out/canary-asan" c-tests/cxx/canary.cpp $LINK 2>> "$out/asan-build.log"; then
    ASAN_OPTIONS=detect_leaks=1 timeout 300 "$out/test_cxx-asan" > "$out/asan.log" 2>&1
    status=$?
    if grep -Eq "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$out/asan.log"; then
        status=98
    fi
    count "$out/asan.log" "asan: test_cxx" $status
    if ASAN_OPTIONS=detect_leaks=1 "$out/canary-asan" > "$out/asan-canary.log" 2>&1; then
        bad "asan: the leaking canary passed: LeakSanitizer does not see the library"
    else
        ok "asan: canary caught ($(grep -m1 -oE 'AddressSanitizer: [0-9]+ byte.* leaked' "$out/asan-canary.log"))"
    fi
else
    echo "cxx: asan: SKIPPED: $firstcxx cannot build with -fsanitize=address,undefined ($(head -n 1 "$out/asan-build.log"))"
fi

# The examples: the server on an ephemeral port in the background, the
# client once against it; both must finish within 20 s.
demo() { # compiler tag
    rm -f "$out/port"
    timeout 20 "$out/cxx_echo_server-$1" 0 1 "$out/port" > "$out/demo-server-$1.log" 2>&1 &
    server=$!
    i=0
    while [ ! -s "$out/port" ] && [ $i -lt 500 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    client=1
    if [ -s "$out/port" ]; then
        timeout 20 "$out/cxx_echo_client-$1" 127.0.0.1 "$(cat "$out/port")" > "$out/demo-client-$1.log" 2>&1
        client=$?
    fi
    wait "$server"
    srv=$?
    if [ $client -eq 0 ] && [ $srv -eq 0 ]; then
        ok "$1: examples cxx_echo_server + cxx_echo_client"
    else
        cat "$out/demo-server-$1.log" "$out/demo-client-$1.log" 2>/dev/null
        bad "$1: examples (client $client, server $srv)"
    fi
}
for cxx in $compilers; do
    tag=$(basename "$cxx")
    [ -x "$out/cxx_echo_server-$tag" ] && demo "$tag"
done

echo "cxx: $(($(date +%s) - start)) s"
echo "cxx: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
