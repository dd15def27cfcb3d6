#!/bin/sh
# Called by c-tests/install_check.sh with an installed prefix ($1): builds
# c-tests/cmake_consumer with find_package(streampeer_tcp CONFIG) against
# it, runs its programs (shared target, static target, and the C++ header
# when installed), then moves the whole installed tree elsewhere and does
# it again, which proves the CMake files are relocatable. The static
# program must not need the .so. SKIPPED when cmake is missing.
set -eu
prefix=$1
if ! command -v cmake >/dev/null 2>&1; then
    echo "cmake-check: SKIPPED: cmake is not installed (apt-get install cmake)"
    exit 0
fi
out=$(pwd)/build/cmake-check
rm -rf "$out"
mkdir -p "$out/moved"
moved=$out/moved/prefix
log=$out/log

fail() {
    echo "cmake-check: $*"
    echo "cmake-check: 0 passed, 1 failed"
    exit 1
}

# NEEDED entries of an ELF file, one a line.
needed() {
    readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'
}

# configure, build and run the consumer against prefix $1 in build dir $2
consume() {
    if ! cmake -S c-tests/cmake_consumer -B "$2" -DCMAKE_PREFIX_PATH="$1" -DCMAKE_BUILD_TYPE=Release \
            > "$log" 2>&1 \
        || ! cmake --build "$2" -j 4 >> "$log" 2>&1; then
        cat "$log"
        fail "building the consumer against $1 failed"
    fi
    grep 'streampeer_tcp .* from' "$log" | sed 's/^-- /cmake-check: /'
    # No LD_LIBRARY_PATH: the shared program finds the library through the
    # build RPATH CMake gives it from IMPORTED_LOCATION.
    env -u LD_LIBRARY_PATH "$2/loopback_shared" || fail "loopback_shared failed"
    env -u LD_LIBRARY_PATH "$2/loopback_static" || fail "loopback_static failed"
    if [ -x "$2/header_cxx" ]; then
        env -u LD_LIBRARY_PATH "$2/header_cxx" || fail "header_cxx failed"
    elif [ -f "$1/include/streampeer_tcp.hpp" ]; then
        fail "streampeer_tcp.hpp is installed but header_cxx was not built"
    fi
    if command -v readelf >/dev/null 2>&1; then
        needed "$2/loopback_shared" | grep -qx 'libstreampeer_tcp.so.0' \
            || fail "loopback_shared does not record NEEDED libstreampeer_tcp.so.0: $(needed "$2/loopback_shared" | tr '\n' ' ')"
        if needed "$2/loopback_static" | grep -q 'libstreampeer_tcp'; then
            fail "loopback_static needs the shared library: $(needed "$2/loopback_static" | tr '\n' ' ')"
        fi
        echo "cmake-check: loopback_shared NEEDED libstreampeer_tcp.so.0; loopback_static NEEDED $(needed "$2/loopback_static" | tr '\n' ' ')"
    fi
}

# No absolute path of the install may be written into the CMake files.
if grep -rn -F "$prefix" "$prefix/lib/cmake/streampeer_tcp"; then
    fail "the CMake files name the install prefix $prefix"
fi

consume "$prefix" "$out/build-installed"

# Move the installed tree away (the old path is gone), build and run again;
# put it back however this ends.
mv "$prefix" "$moved"
trap 'mv "$moved" "$prefix"' EXIT
test ! -e "$prefix"
consume "$moved" "$out/build-moved"
echo "cmake-check: shared and static targets work, also after moving the installed tree to $moved"
