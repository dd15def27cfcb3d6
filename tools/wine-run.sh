#!/bin/sh
# Runs a Windows program under Wine for the tests: a scratch Wine prefix in
# build/, Wine's chatter off, and the ProcessPrng stand-in (test tooling,
# see bcryptprimitives_shim.c) next to the program.
set -e
exe=$1
root=$(cd "$(dirname "$0")/.." && pwd)
shim=$root/build/windows-tools/bcryptprimitives.dll
if [ ! -f "$shim" ]; then
    mkdir -p "$(dirname "$shim")"
    x86_64-w64-mingw32-gcc -shared -O2 "$root/tools/bcryptprimitives_shim.c" -o "$shim" -ladvapi32
fi
cp -f "$shim" "$(dirname "$exe")/"
export WINEPREFIX=${WINEPREFIX:-$root/build/wineprefix}
export WINEDEBUG=-all
exec /usr/lib/wine/wine64 "$@"
