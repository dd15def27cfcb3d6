#!/bin/sh
# Runs every C test program under valgrind memcheck: any memory error or
# leak (definite, indirect or possible) fails, except what
# c-tests/valgrind.supp names (ring's assembly, which valgrind cannot follow). The sanitizer canary, built
# without sanitizers, must fail, proving valgrind sees the library's
# allocations. Summary line: "check-mem: N passed, N failed".
set -u
if ! command -v valgrind >/dev/null 2>&1; then
    echo "check-mem: SKIPPED: valgrind is not installed (apt-get install valgrind)"
    exit 0
fi
export SOAK_CYCLES=${SOAK_CYCLES:-1000} BULK_MIB=${BULK_MIB:-8}
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --suppressions=c-tests/valgrind.supp"
pass=0
fail=0
for t in "$@"; do
    if $vg "$t" > build/memcheck.out 2>&1; then
        echo "check-mem: $(basename "$t"): clean ($(tail -n 1 build/memcheck.out))"
        pass=$((pass + 1))
    else
        cat build/memcheck.out
        echo "check-mem: $(basename "$t"): FAILED"
        fail=$((fail + 1))
    fi
done
${CC:-cc} -std=c11 -g -Iinclude -o build/memcheck-canary c-tests/sanitizer_canary.c \
    -Ltarget/debug -lstreampeer_tcp -Wl,-rpath,"$(pwd)/target/debug"
if $vg build/memcheck-canary > build/memcheck.out 2>&1; then
    echo "check-mem: the leaking canary passed: valgrind is not working"
    fail=$((fail + 1))
else
    echo "check-mem: canary caught: $(grep -m1 -o 'definitely lost[^=]*' build/memcheck.out)"
    pass=$((pass + 1))
fi
echo "check-mem: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
