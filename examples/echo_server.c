/* A small echo server on streampeer_tcp: listens, takes connections, sends
 * back whatever arrives, and prints each status change.
 *
 *   echo_server [port [clients [port_file]]]
 *
 * port 0 (the default) picks a free port; the server stops after `clients`
 * connections (default 1) have come and gone. The chosen port is printed,
 * and also written to `port_file` when given (run_demo.sh uses that). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "streampeer_tcp.h"

#define MAX_PEERS 16

static const char *status_name(sptcp_status s) {
    switch (s) {
    case SPTCP_STATUS_NONE: return "NONE";
    case SPTCP_STATUS_CONNECTING: return "CONNECTING";
    case SPTCP_STATUS_CONNECTED: return "CONNECTED";
    case SPTCP_STATUS_ERROR: return "ERROR";
    }
    return "?";
}

static void nap(void) {
    struct timespec ts = {0, 1000000}; /* 1 ms */
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* line by line, also into a pipe */
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int clients = argc > 2 ? atoi(argv[2]) : 1;
    const char *port_file = argc > 3 ? argv[3] : NULL;

    sptcp_server *server = sptcp_server_new();
    sptcp_error err = sptcp_server_listen(server, port, "127.0.0.1");
    if (err != SPTCP_OK) {
        fprintf(stderr, "server: listen failed: %s (%s)\n", sptcp_error_name(err), sptcp_last_error_message());
        return 1;
    }
    port = sptcp_server_get_local_port(server);
    printf("server: listening on 127.0.0.1:%d (streampeer_tcp %s)\n", port, sptcp_version());
    fflush(stdout);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }

    sptcp_peer *peers[MAX_PEERS] = {0};
    sptcp_status last[MAX_PEERS];
    int served = 0;
    while (served < clients) {
        /* New connections are CONNECTED at once. */
        while (sptcp_server_is_connection_available(server)) {
            sptcp_peer *p = sptcp_server_take_connection(server);
            int slot = -1;
            for (int i = 0; i < MAX_PEERS && p; i++) {
                if (!peers[i]) {
                    slot = i;
                    break;
                }
            }
            if (slot < 0) {
                sptcp_peer_free(p);
                continue;
            }
            char host[SPTCP_HOST_MAX];
            sptcp_get_connected_host(p, host, sizeof host);
            peers[slot] = p;
            last[slot] = sptcp_get_status(p);
            printf("server: client %d from %s:%d, status %s\n", slot, host, sptcp_get_connected_port(p),
                   status_name(last[slot]));
        }
        for (int i = 0; i < MAX_PEERS; i++) {
            sptcp_peer *p = peers[i];
            if (!p) {
                continue;
            }
            sptcp_poll(p);
            uint8_t buf[4096];
            size_t got = 0;
            if (sptcp_get_status(p) == SPTCP_STATUS_CONNECTED &&
                sptcp_get_partial_data(p, buf, sizeof buf, &got) == SPTCP_OK && got > 0) {
                printf("server: client %d sent %zu bytes: \"%.*s\", echoing\n", i, got, (int)got, (const char *)buf);
                sptcp_put_data(p, buf, got);
            }
            sptcp_status st = sptcp_get_status(p);
            if (st != last[i]) {
                printf("server: client %d status %s -> %s\n", i, status_name(last[i]), status_name(st));
                last[i] = st;
            }
            if (st == SPTCP_STATUS_NONE || st == SPTCP_STATUS_ERROR) {
                sptcp_peer_free(p);
                peers[i] = NULL;
                served++;
            }
        }
        fflush(stdout);
        nap();
    }
    sptcp_server_free(server);
    printf("server: served %d client(s), bye\n", served);
    return 0;
}
