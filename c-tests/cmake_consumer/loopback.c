/* Built by c-tests/cmake_consumer/CMakeLists.txt against an installed
 * streampeer_tcp (shared and static targets): a server on a free loopback
 * port, a peer connecting to it, one u32 each way. */
#include <stdio.h>

#include <streampeer_tcp.h>

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #cond,        \
                    sptcp_last_error_message() ? sptcp_last_error_message() : "");      \
            return 1;                                                                   \
        }                                                                               \
    } while (0)

int main(int argc, char **argv) {
    const char *name = argc > 0 ? argv[0] : "loopback";
    for (const char *p = name; *p; p++) {
        if (*p == '/') {
            name = p + 1;
        }
    }
    sptcp_server *server = sptcp_server_new();
    sptcp_peer *client = sptcp_peer_new();
    CHECK(server != NULL && client != NULL);
    CHECK(sptcp_server_listen(server, 0, "127.0.0.1") == SPTCP_OK);
    int32_t port = sptcp_server_get_local_port(server);
    CHECK(port > 0);
    CHECK(sptcp_connect_to_host(client, "127.0.0.1", port) == SPTCP_OK);
    for (int i = 0; i < 500 && sptcp_get_status(client) == SPTCP_STATUS_CONNECTING; i++) {
        sptcp_wait(client, SPTCP_EVENT_WRITABLE, 10, NULL);
        CHECK(sptcp_poll(client) == SPTCP_OK);
    }
    CHECK(sptcp_get_status(client) == SPTCP_STATUS_CONNECTED);
    CHECK(sptcp_server_wait(server, 5000) == SPTCP_OK);
    sptcp_peer *accepted = sptcp_server_take_connection(server);
    CHECK(accepted != NULL);

    uint32_t got = 0;
    CHECK(sptcp_put_u32(client, 0xC0FFEE01u) == SPTCP_OK);
    CHECK(sptcp_get_u32(accepted, &got) == SPTCP_OK);
    CHECK(got == 0xC0FFEE01u);
    CHECK(sptcp_put_u32(accepted, got + 1) == SPTCP_OK);
    CHECK(sptcp_get_u32(client, &got) == SPTCP_OK);
    CHECK(got == 0xC0FFEE02u);

    sptcp_peer_free(accepted);
    sptcp_peer_free(client);
    sptcp_server_free(server);
    printf("%s: streampeer_tcp %s, u32 both ways over 127.0.0.1:%d OK\n", name, sptcp_version(), (int)port);
    return 0;
}
