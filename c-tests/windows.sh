#!/bin/sh
# Cross-builds the library for Windows (x86_64-pc-windows-gnu, MinGW-w64)
# and runs its tests under Wine: `cargo test` for the Rust side (the runner
# in .cargo/config.toml) and the portable C tests. Says SKIPPED when the
# tools are missing (.ci/run installs them).
set -u
target=x86_64-pc-windows-gnu
wine=/usr/lib/wine/wine64
if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || [ ! -x "$wine" ] ||
    ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    echo "test-windows: SKIPPED: needs gcc-mingw-w64-x86-64, wine64 and \`rustup target add $target\`"
    exit 0
fi
cargo build --quiet --release --locked --target $target || exit 1
cargo clippy --quiet --locked --target $target --all-targets -- -D warnings || exit 1
# Every function of the header is exported by the DLL.
want=$(grep -cE '^[a-z][^;{}()]*\bsptcp_[a-z0-9_]+\(' include/streampeer_tcp.h)
have=$(x86_64-w64-mingw32-objdump -p target/$target/release/streampeer_tcp.dll | grep -cE '\] sptcp_')
if [ "$want" != "$have" ]; then
    echo "test-windows: the DLL exports $have sptcp_ functions, the header declares $want"
    exit 1
fi
echo "test-windows: streampeer_tcp.dll exports all $have functions of the header"
echo "test-windows: cargo test under Wine"
if ! cargo test --quiet --locked --target $target > build/windows-cargo-test.log 2>&1; then
    cat build/windows-cargo-test.log
    echo "test-windows: cargo test failed under Wine"
    exit 1
fi
grep -E "^test result" build/windows-cargo-test.log
out=build/windows-tests
mkdir -p "$out"
cp target/$target/release/streampeer_tcp.dll "$out/"
cp "$(x86_64-w64-mingw32-gcc -print-file-name=libwinpthread-1.dll)" "$out/" 2>/dev/null || true
# The C tests that do not depend on fork, /proc or glibc's mallinfo.
tests="test_errors test_peer test_server test_data test_typed test_variant test_threads test_bulk"
for t in $tests; do
    x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -O1 -Iinclude -o "$out/$t.exe" "c-tests/$t.c" \
        -Ltarget/$target/release -lstreampeer_tcp -lpthread -lws2_32 || exit 1
done
BULK_MIB=64 RUNNER=tools/wine-run.sh sh c-tests/run.sh $(for t in $tests; do echo "$out/$t.exe"; done)
