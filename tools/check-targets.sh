#!/bin/sh
# make check-targets: the library type-checks for the Unix systems this
# machine cannot run (macOS, FreeBSD), so their half of the socket layer
# (SO_NOSIGPIPE, sun_path, the poll(2) group) keeps compiling. Each target
# says SKIPPED when its standard library is not installed
# (`rustup target add x86_64-apple-darwin x86_64-unknown-freebsd`).
set -u
status=0
# ring (TLS) compiles C in its build script, and there is no macOS SDK here:
# for macOS its C files become empty objects (clang for that target). This
# is a type-check of the Rust code only; nothing is linked or run.
stub=build/check-targets/stub-cc
mkdir -p build/check-targets
cat > "$stub" <<'EOS'
#!/bin/sh
# Writes an empty object for the -o file of a C compile (see check-targets.sh).
prev=
out=
for a in "$@"; do
    [ "$prev" = "-o" ] && out=$a
    prev=$a
done
# Probes (-E, --version) go to clang itself, so cc-rs sees a clang.
[ -n "$out" ] || exec clang --target=x86_64-apple-darwin "$@"
exec clang --target=x86_64-apple-darwin -c -x c /dev/null -o "$out"
EOS
chmod +x "$stub"
ar=$(command -v llvm-ar || command -v llvm-ar-14 || true)
for target in x86_64-apple-darwin x86_64-unknown-freebsd; do
    if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
        echo "check-targets: $target: SKIPPED (rustup target add $target)"
        continue
    fi
    if [ "$target" = x86_64-apple-darwin ]; then
        if ! command -v clang >/dev/null 2>&1 || [ -z "$ar" ]; then
            echo "check-targets: $target: SKIPPED (needs clang and llvm-ar for ring's stub objects)"
            continue
        fi
        export CC_x86_64_apple_darwin="$(pwd)/$stub" AR_x86_64_apple_darwin="$ar"
    fi
    if cargo clippy --quiet --locked --lib --target "$target" -- -D warnings; then
        echo "check-targets: $target: OK"
    else
        echo "check-targets: $target: FAILED"
        status=1
    fi
done
exit $status
