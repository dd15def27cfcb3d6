// Built by c-tests/cmake_consumer/CMakeLists.txt when the install has the
// C++ header: it compiles as C++17 from the installed include directory and
// links the shared target (the C API is enough to prove that; the C++ API
// itself is tested in the source tree).
#include <streampeer_tcp.hpp>

#include <cstdio>

int main() {
    std::printf("header_cxx: streampeer_tcp.hpp compiles, library %s\n", sptcp_version());
    return 0;
}
