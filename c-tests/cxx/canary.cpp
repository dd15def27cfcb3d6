// Must FAIL under valgrind and ASan: it leaks values the library
// allocated, through the C++ wrapper's release(). c-tests/cxx/run.sh uses
// it to prove the tools see the library's allocations.
#include "streampeer_tcp.hpp"

#include <cstdio>
#include <cstdlib>

// Drops every handle in a function of its own, many times over, so no
// pointer to them survives in a register or on the stack that the leak
// checker scans at exit (one leaked value was missed now and then).
static __attribute__((noinline)) void leak() {
    for (int i = 0; i < 64; i++) {
        sptcp::Variant v = sptcp::Variant::array();
        if (v.array_push("a string the library allocates") != sptcp::Error::OK) {
            std::exit(2);
        }
        (void)v.release();
    }
}

int main() {
    leak();
    std::puts("canary: leaked 64 values");
    return 0;
}
