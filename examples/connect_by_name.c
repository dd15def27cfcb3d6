/* Connecting well: an async connect by name (the lookup on a resolver
 * thread, Happy Eyeballs over the addresses), a bounded connect, keepalive,
 * an I/O timeout on blocking reads, half-close and the byte counters.
 *
 *   connect_by_name host port     connect to host:port by name and report
 *   connect_by_name --selftest    serve on every loopback address and run
 *                                 the whole conversation against "localhost" */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "streampeer_tcp.h"

static int fail(const char *what, sptcp_error err) {
    fprintf(stderr, "connect_by_name: %s: %s: %s\n", what, sptcp_error_name(err), sptcp_last_error_message());
    return 1;
}

/* A peer set up to connect well. All of these are off by default, so a
 * peer behaves as Godot's until asked. */
static sptcp_peer *careful_peer(void) {
    sptcp_peer *p = sptcp_peer_new();
    sptcp_set_async_connect(p, true);            /* never block in connect_to_host or poll */
    sptcp_set_happy_eyeballs_delay_ms(p, 250);   /* next address after 250 ms (the default) */
    sptcp_set_connect_timeout_ms(p, 5000);       /* lookup + every attempt, 5 s in all */
    sptcp_set_keepalive(p, true, 10, 2, 3);      /* dead after ~10 + 2 x 3 s of silence */
    sptcp_set_io_timeout_ms(p, 300);             /* no blocking call waits longer */
    return p;
}

/* Connects without ever blocking: sptcp_wait sleeps until the next thing
 * to do (the lookup ended, an attempt finished, the next one is due). */
static sptcp_error connect_by_name(sptcp_peer *p, const char *host, int port) {
    sptcp_error err = sptcp_connect_to_host(p, host, port); /* SPTCP_OK at once: CONNECTING */
    if (err != SPTCP_OK) return err;
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING) {
        uint32_t ready = 0;
        sptcp_wait(p, SPTCP_EVENT_WRITABLE, 50, &ready); /* a game would poll once per frame instead */
        err = sptcp_poll(p);
    }
    if (sptcp_get_status(p) != SPTCP_STATUS_CONNECTED) return err != SPTCP_OK ? err : SPTCP_ERR_CONNECTION_ERROR;
    char addr[SPTCP_HOST_MAX];
    sptcp_get_connected_host(p, addr, sizeof addr);
    printf("connected to %s as %s port %d\n", host, addr, sptcp_get_connected_port(p));
    return SPTCP_OK;
}

static int selftest(void) {
    sptcp_server *server = sptcp_server_new();
    sptcp_error err = sptcp_server_listen(server, 0, "*"); /* IPv6 and IPv4 */
    if (err != SPTCP_OK) return fail("listen", err);

    sptcp_peer *client = careful_peer();
    err = connect_by_name(client, "localhost", sptcp_server_get_local_port(server));
    if (err != SPTCP_OK) return fail("connect", err);
    if (sptcp_server_wait(server, 5000) != SPTCP_OK) return fail("server_wait", SPTCP_ERR_TIMEOUT);
    sptcp_peer *game = sptcp_server_take_connection(server);
    if (!game) return fail("take_connection", SPTCP_FAILED);

    /* The server says nothing yet: the read gives up after the I/O
     * timeout, consumes nothing, and the connection stays up. */
    uint32_t value = 0;
    err = sptcp_get_u32(client, &value);
    printf("get_u32 with nothing sent: %s, status still %s\n", sptcp_error_name(err),
           sptcp_get_status(client) == SPTCP_STATUS_CONNECTED ? "CONNECTED" : "not connected");
    if (err != SPTCP_ERR_TIMEOUT) return fail("get_u32 should time out", err);

    /* Half-close: the request, then FIN. The client can still read. */
    sptcp_put_utf8_string(client, "score?");
    err = sptcp_shutdown_write(client);
    if (err != SPTCP_OK) return fail("shutdown_write", err);

    char *request = NULL;
    err = sptcp_get_utf8_string(game, -1, &request, NULL);
    if (err != SPTCP_OK) return fail("server get_utf8_string", err);
    uint32_t ready = 0;
    sptcp_wait(game, SPTCP_EVENT_READABLE, 2000, &ready); /* the FIN shows as HANGUP */
    printf("server got \"%s\"; the client closed its side: %s\n", request, sptcp_is_peer_closed(game) ? "yes" : "no");
    sptcp_string_free(request);
    /* Answer before polling again: once everything is read, the next
     * sptcp_poll on `game` sees the close and gives NONE. */
    sptcp_put_u32(game, 1234);
    sptcp_peer_free(game);

    err = sptcp_get_u32(client, &value);
    if (err != SPTCP_OK || value != 1234) return fail("reply", err);
    printf("reply %u; client sent %llu bytes, received %llu\n", value,
           (unsigned long long)sptcp_get_bytes_sent(client), (unsigned long long)sptcp_get_bytes_received(client));

    sptcp_peer_free(client);
    sptcp_server_free(server);
    printf("connect_by_name: selftest OK\n");
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "--selftest") == 0) return selftest();
    if (argc != 3) {
        fprintf(stderr, "usage: %s host port | --selftest\n", argv[0]);
        return 2;
    }
    sptcp_peer *p = careful_peer();
    sptcp_error err = connect_by_name(p, argv[1], atoi(argv[2]));
    sptcp_peer_free(p);
    return err == SPTCP_OK ? 0 : fail("connect", err);
}
