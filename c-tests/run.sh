#!/bin/sh
# Runs each C test program given, with a time limit, and adds up their
# "N passed, N failed" lines into one total.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
total_pass=0
total_fail=0
status=0
for t in "$@"; do
    # RUNNER runs programs that need one (Wine); Windows ends lines in CR LF.
    timeout 300 ${RUNNER:-} "$t" > "$log" 2>&1
    rc=$?
    out=$(tr -d '\r' < "$log")
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed$' | tail -n1)
    if [ -z "$line" ]; then
        echo "$t: exited $rc without a summary line"
        total_fail=$((total_fail + 1))
        status=1
        continue
    fi
    p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(printf '%s' "$line" | sed -E 's/.*, ([0-9]+) failed$/\1/')
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$rc" -ne 0 ]; then
        status=1
    fi
done
echo "c-tests: $total_pass passed, $total_fail failed"
exit $status
