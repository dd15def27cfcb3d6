#!/bin/sh
# Cross-builds the library for Windows (x86_64-pc-windows-gnu, MinGW-w64)
# with `make windows` and runs its tests under Wine: `cargo test` for the
# Rust side (the runner in .cargo/config.toml) and the portable C tests,
# linked against the package `make windows` made. Run by `make
# test-windows`, which passes WIN_PKG (that package) and WIN_DLLTOOL. Says
# SKIPPED when the tools are missing (.ci/run installs them).
set -u
: "${WIN_PKG:?run this through make test-windows}" "${WIN_DLLTOOL:=}"
target=x86_64-pc-windows-gnu
wine=/usr/lib/wine/wine64
if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || [ ! -x "$wine" ] ||
    ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    echo "test-windows: SKIPPED: needs gcc-mingw-w64-x86-64, wine64 and \`rustup target add $target\`"
    exit 0
fi
mkdir -p build
make --no-print-directory -s windows > build/make-windows.log 2>&1 || { cat build/make-windows.log; exit 1; }
cargo clippy --quiet --locked --target $target --all-targets -- -D warnings || exit 1
# Every function of the header (listed in the package's .def) is exported by the DLL.
want=$(grep -c '^    sptcp_' "$WIN_PKG/lib/streampeer_tcp.def")
have=$(x86_64-w64-mingw32-objdump -p "$WIN_PKG/bin/streampeer_tcp.dll" | grep -cE '\] sptcp_')
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
cp "$WIN_PKG/bin/streampeer_tcp.dll" "$out/"
cp "$(x86_64-w64-mingw32-gcc -print-file-name=libwinpthread-1.dll)" "$out/" 2>/dev/null || true
# The C tests that do not depend on fork, /proc or glibc's mallinfo.
tests="test_errors test_peer test_server test_data test_typed test_variant test_threads test_bulk test_connect test_tls uds_windows group_windows"
for t in $tests; do
    x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -O1 -Iinclude -o "$out/$t.exe" "c-tests/$t.c" \
        -L"$WIN_PKG/lib" -lstreampeer_tcp -lpthread -lws2_32 || exit 1
done
programs=$(for t in $tests; do echo "$out/$t.exe"; done)
# The static library, with exactly the system libraries docs/windows.md lists
# (-lpthread is for the test program's own threads and clock).
x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -O1 -Iinclude -o "$out/test_data_static.exe" \
    c-tests/test_data.c "$WIN_PKG/lib/libstreampeer_tcp.a" \
    -lkernel32 -lntdll -luserenv -lws2_32 -ldbghelp -lbcrypt -lpthread || exit 1
if x86_64-w64-mingw32-objdump -p "$out/test_data_static.exe" | grep -qi "DLL Name: streampeer_tcp"; then
    echo "test-windows: test_data_static.exe loads streampeer_tcp.dll instead of linking the static library"
    exit 1
fi
programs="$programs $out/test_data_static.exe"
# MSVC users link with lib/streampeer_tcp.lib from `make windows`. There is
# no MSVC here, so an MSVC-ABI program is built with clang and linked by
# lld-link (MSVC-compatible) against that .lib, without a C runtime.
first_tool() { # the first of the named programs that is installed
    for tool in "$@"; do
        command -v "$tool" 2>/dev/null && return 0
    done
    return 1
}
lld_link=$(first_tool lld-link lld-link-14)
if [ -n "$lld_link" ] && command -v clang >/dev/null 2>&1; then
    printf 'LIBRARY kernel32.dll\nEXPORTS\n    GetStdHandle\n    WriteFile\n    Sleep\n    ExitProcess\n' \
        > "$out/kernel32.def"
    "$WIN_DLLTOOL" -m i386:x86-64 -d "$out/kernel32.def" -l "$out/kernel32.lib" || exit 1
    clang --target=x86_64-pc-windows-msvc -ffreestanding -fno-builtin -fno-stack-protector -O1 \
        -Wall -Wextra -Werror -I"$WIN_PKG/include" -c -o "$out/msvc_link.obj" c-tests/msvc_link.c || exit 1
    "$lld_link" /nologo /entry:start /subsystem:console /nodefaultlib /out:"$out/msvc_link.exe" \
        "$out/msvc_link.obj" "$WIN_PKG/lib/streampeer_tcp.lib" "$out/kernel32.lib" || exit 1
    programs="$programs $out/msvc_link.exe"
else
    echo "test-windows: the MSVC import library check is SKIPPED: needs clang and lld-link (apt-get install lld)"
fi
# test_tls reads certificates made here (Wine has no shell for the script).
sh c-tests/tls_certs.sh "$out/certs" >/dev/null 2>&1 || echo "test-windows: no openssl: test_tls will fail"
# One Wine server for all the programs, kept until they are done: a
# program whose Wine starts just as the previous one's server exits on its
# idle timeout can lose its connection to it ("wine client error: recvmsg:
# Connection reset by peer") and die without running.
export WINEPREFIX="${WINEPREFIX:-$(pwd)/build/wineprefix}"
mkdir -p "$WINEPREFIX"
WINEDEBUG=-all /usr/lib/wine/wineserver -p 2>/dev/null || true
BULK_MIB=64 SPTCP_TLS_CERTS="$out/certs" RUNNER=tools/wine-run.sh sh c-tests/run.sh $programs
status=$?
/usr/lib/wine/wineserver -k 2>/dev/null || true
exit $status
