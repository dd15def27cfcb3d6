#!/bin/sh
# make windows: the DLL, its import libraries and the header, cross-built
# with MinGW-w64, in a folder ready to zip ($1). For MSVC users the folder
# also has a .def listing the header's functions (from tools/abi.py) and
# the import library made from it with $2, a dlltool (llvm-dlltool writes
# the short format MSVC's lib.exe writes; MinGW's dlltool is the fallback).
set -eu
pkg=$1
dlltool=$2
target=x86_64-pc-windows-gnu
out=target/$target/release
cargo build --release --locked --target $target
rm -rf "$pkg"
install -d "$pkg/bin" "$pkg/lib" "$pkg/include"
install -m 644 $out/streampeer_tcp.dll "$pkg/bin/"
install -m 644 $out/libstreampeer_tcp.dll.a $out/libstreampeer_tcp.a "$pkg/lib/"
install -m 644 include/streampeer_tcp.h "$pkg/include/"
${PYTHON:-python3} tools/abi.py def > "$pkg/lib/streampeer_tcp.def"
if [ -z "$dlltool" ]; then
    echo "windows: no dlltool (apt-get install llvm or binutils-mingw-w64-x86-64)"
    exit 1
fi
"$dlltool" -m i386:x86-64 -D streampeer_tcp.dll -d "$pkg/lib/streampeer_tcp.def" \
    -l "$pkg/lib/streampeer_tcp.lib"
echo "windows: $pkg" && ls -R "$pkg"
