// The header must compile as C++ and give C linkage.
#include "streampeer_tcp.h"

#include <cstdio>
#include <cstring>

int main() {
    sptcp_peer *peer = sptcp_peer_new();
    sptcp_status st = sptcp_get_status(peer);
    sptcp_error err = sptcp_poll(peer);
    sptcp_peer_free(peer);
    int ok = st == SPTCP_STATUS_NONE && err == SPTCP_OK && std::strlen(sptcp_version()) > 0;
    std::printf("header_cxx: %d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    return ok ? 0 : 1;
}
