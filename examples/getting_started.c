/* The first program: a TCPServer and a StreamPeerTCP in one process, over
 * loopback. The client connects (polling, as Godot 4 wants), sends a typed
 * value and a string, and the server's side of the connection reads them.
 *
 *   getting_started            runs once and exits 0 when all went right */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "streampeer_tcp.h"

static void nap_ms(long ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static int fail(const char *what, sptcp_error err) {
    fprintf(stderr, "%s: %s: %s\n", what, sptcp_error_name(err), sptcp_last_error_message());
    return 1;
}

int main(void) {
    /* A server on a free port of 127.0.0.1 (port 0: the system picks). */
    sptcp_server *server = sptcp_server_new();
    sptcp_error err = sptcp_server_listen(server, 0, "127.0.0.1");
    if (err != SPTCP_OK) return fail("listen", err);
    int port = sptcp_server_get_local_port(server);

    /* A client: connect_to_host starts the connect, poll() finishes it. */
    sptcp_peer *client = sptcp_peer_new();
    err = sptcp_connect_to_host(client, "127.0.0.1", port);
    if (err != SPTCP_OK) return fail("connect_to_host", err);
    while (sptcp_get_status(client) == SPTCP_STATUS_CONNECTING) {
        sptcp_poll(client); /* once per frame in a game loop */
        nap_ms(1);
    }
    if (sptcp_get_status(client) != SPTCP_STATUS_CONNECTED) return fail("connect", SPTCP_ERR_CONNECTION_ERROR);

    /* The server's side: take the connection once it is there. */
    sptcp_peer *game = NULL;
    for (int i = 0; i < 5000 && !game; i++) {
        game = sptcp_server_take_connection(server); /* NULL while none waits */
        if (!game) nap_ms(1);
    }
    if (!game) return fail("take_connection", SPTCP_ERR_TIMEOUT);

    /* Godot's StreamPeer calls: the same bytes a GDScript put_u32 writes. */
    sptcp_put_u32(client, 42);
    sptcp_put_utf8_string(client, "Hello✩");

    uint32_t number = 0;
    char *text = NULL;
    size_t len = 0;
    err = sptcp_get_u32(game, &number); /* blocks until the 4 bytes are there */
    if (err != SPTCP_OK) return fail("get_u32", err);
    err = sptcp_get_utf8_string(game, -1, &text, &len);
    if (err != SPTCP_OK) return fail("get_utf8_string", err);
    printf("server got %u and \"%s\" (%zu bytes) on port %d\n", number, text, len, port);
    sptcp_string_free(text);

    sptcp_peer_free(game);   /* free disconnects */
    sptcp_peer_free(client);
    sptcp_server_free(server);
    return number == 42 ? 0 : 1;
}
