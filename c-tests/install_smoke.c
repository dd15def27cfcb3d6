/* Built against an installed copy of the library (through pkg-config) by
 * c-tests/install_check.sh: the header, the library and the .pc file work. */
#include <stdio.h>
#include <string.h>

#include <streampeer_tcp.h>

int main(void) {
    int ok = 0, bad = 0;
    sptcp_server *server = sptcp_server_new();
    if (sptcp_server_listen(server, 0, "127.0.0.1") == SPTCP_OK && sptcp_server_get_local_port(server) > 0) {
        ok++;
    } else {
        bad++;
    }
    sptcp_peer *peer = sptcp_peer_new();
    if (sptcp_connect_to_host(peer, "127.0.0.1", sptcp_server_get_local_port(server)) == SPTCP_OK) {
        ok++;
    } else {
        bad++;
    }
    if (strcmp(sptcp_error_name(SPTCP_ERR_CANT_RESOLVE), "ERR_CANT_RESOLVE") == 0) {
        ok++;
    } else {
        bad++;
    }
    sptcp_peer_free(peer);
    sptcp_server_free(server);
    printf("install_smoke: %d passed, %d failed\n", ok, bad);
    return bad ? 1 : 0;
}
