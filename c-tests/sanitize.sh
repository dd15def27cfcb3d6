#!/bin/sh
# Builds the library and the C tests with a sanitizer and runs them.
#
#   sh c-tests/sanitize.sh asan    AddressSanitizer + UBSan + LeakSanitizer
#   sh c-tests/sanitize.sh tsan    ThreadSanitizer (test_threads.c, test_hostile.c)
#
# The Rust side is instrumented too (rustc -Zsanitizer, allowed on the
# stable toolchain by RUSTC_BOOTSTRAP=1; TSan also rebuilds std with
# -Zbuild-std). A canary program that leaks / overflows / races must FAIL,
# which proves the sanitizer sees into the library. Prints a summary line
# "<mode>: N passed, N failed"; says SKIPPED when a tool is missing.
set -u
mode=$1
target=x86_64-unknown-linux-gnu
out=build/$mode
mkdir -p "$out"
if ! command -v clang >/dev/null 2>&1; then
    echo "check-$mode: SKIPPED: clang is not installed (apt-get install clang libclang-rt-14-dev)"
    exit 0
fi
sysroot=$(rustc --print sysroot)
case "$mode" in
asan)
    rustflags=-Zsanitizer=address
    build_std=
    cflags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    ldflags="-fsanitize=address,undefined"
    runtime=
    tests=$(ls c-tests/test_*.c)
    export SOAK_CYCLES=${SOAK_CYCLES:-2000} BULK_MIB=${BULK_MIB:-64}
    canaries="sanitizer_canary: sanitizer_canary:overflow"
    # Huge requests must fail like malloc does (the library handles that).
    export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
    ;;
tsan)
    if [ ! -d "$sysroot/lib/rustlib/src/rust" ]; then
        echo "check-tsan: SKIPPED: the rust-src component is missing (rustup component add rust-src)"
        exit 0
    fi
    rustflags=-Zsanitizer=thread
    build_std=-Zbuild-std
    cflags="-fsanitize=thread"
    # rustc's TSan runtime matches the instrumentation of the Rust code
    # (clang 14's runtime is older and lacks entry points it uses).
    ldflags=
    runtime="-Wl,--whole-archive $sysroot/lib/rustlib/$target/lib/librustc-stable_rt.tsan.a -Wl,--no-whole-archive -lstdc++"
    tests="c-tests/test_threads.c c-tests/test_hostile.c c-tests/test_uds.c c-tests/test_group.c c-tests/test_connect.c c-tests/test_tls.c"
    canaries="tsan_canary:"
    export TSAN_OPTIONS=halt_on_error=1
    ;;
*)
    echo "usage: sanitize.sh asan|tsan" >&2
    exit 2
    ;;
esac

echo "check-$mode: building the library with $rustflags"
RUSTC_BOOTSTRAP=1 RUSTFLAGS="$rustflags" cargo build --quiet $build_std --target $target \
    --target-dir "target/$mode" || exit 1
lib=target/$mode/$target/debug/libstreampeer_tcp.a

link() { # source, output
    clang -std=c11 -g -O1 $cflags -Iinclude -c -o "$2.o" "$1" &&
        clang -g $ldflags -o "$2" "$2.o" "$lib" $runtime -lpthread -ldl -lm -lrt
}

pass=0
fail=0
for src in $tests; do
    name=$(basename "$src" .c)
    link "$src" "$out/$name" || exit 1
done
sh c-tests/run.sh $(for src in $tests; do echo "$out/$(basename "$src" .c)"; done) > "$out/results.txt" 2>&1
status=$?
cat "$out/results.txt"
line=$(tail -n 1 "$out/results.txt")
pass=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
fail=$(echo "$line" | sed -E 's/.*, ([0-9]+) failed$/\1/')
[ $status -eq 0 ] || fail=$((fail + 1))
grep -Eq "ERROR: [A-Za-z]*Sanitizer|WARNING: ThreadSanitizer|runtime error:" "$out/results.txt" && { echo "check-$mode: sanitizer reports above"; fail=$((fail + 1)); }

for canary in $canaries; do
    src=c-tests/${canary%%:*}.c
    arg=${canary#*:}
    link "$src" "$out/canary" || exit 1
    if "$out/canary" $arg > "$out/canary.txt" 2>&1; then
        echo "check-$mode: the canary ${canary%%:*} $arg passed: the sanitizer is not working"
        fail=$((fail + 1))
    elif grep -Eq "ERROR: [A-Za-z]*Sanitizer|WARNING: ThreadSanitizer" "$out/canary.txt"; then
        echo "check-$mode: canary ${canary%%:*} $arg caught: $(grep -m1 -o '[A-Za-z]*Sanitizer: [a-z -]*' "$out/canary.txt")"
        pass=$((pass + 1))
    else
        echo "check-$mode: the canary failed without a sanitizer report"
        fail=$((fail + 1))
    fi
done
echo "check-$mode: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
