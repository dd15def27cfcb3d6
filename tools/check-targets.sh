#!/bin/sh
# make check-targets: the library type-checks for the Unix systems this
# machine cannot run (macOS, FreeBSD), so their half of the socket layer
# (SO_NOSIGPIPE, sun_path, the poll(2) group) keeps compiling. Each target
# says SKIPPED when its standard library is not installed
# (`rustup target add x86_64-apple-darwin x86_64-unknown-freebsd`).
set -u
status=0
for target in x86_64-apple-darwin x86_64-unknown-freebsd; do
    if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
        echo "check-targets: $target: SKIPPED (rustup target add $target)"
        continue
    fi
    if cargo clippy --quiet --locked --lib --target "$target" -- -D warnings; then
        echo "check-targets: $target: OK"
    else
        echo "check-targets: $target: FAILED"
        status=1
    fi
done
exit $status
