/* A small echo client on streampeer_tcp: connects, sends a few messages,
 * reads each echo back, and prints every status change on the way.
 *
 *   echo_client host port */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "streampeer_tcp.h"

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
    if (argc < 3) {
        fprintf(stderr, "usage: %s host port\n", argv[0]);
        return 2;
    }
    sptcp_peer *peer = sptcp_peer_new();
    sptcp_set_connect_timeout_ms(peer, 5000);
    sptcp_status st = sptcp_get_status(peer);
    printf("client: status %s\n", status_name(st));

    sptcp_error err = sptcp_connect_to_host(peer, argv[1], atoi(argv[2]));
    if (err != SPTCP_OK) {
        fprintf(stderr, "client: connect_to_host: %s: %s\n", sptcp_error_name(err), sptcp_last_error_message());
        sptcp_peer_free(peer);
        return 1;
    }
    /* poll() drives the connection; get_status() only reads it. */
    while (st == SPTCP_STATUS_NONE || st == SPTCP_STATUS_CONNECTING) {
        sptcp_status now = sptcp_get_status(peer);
        if (now != st) {
            printf("client: status %s -> %s\n", status_name(st), status_name(now));
            st = now;
        }
        if (st == SPTCP_STATUS_CONNECTING) {
            err = sptcp_poll(peer);
            nap();
        }
    }
    if (st != SPTCP_STATUS_CONNECTED) {
        fprintf(stderr, "client: connect failed: %s: %s\n", sptcp_error_name(err), sptcp_last_error_message());
        sptcp_peer_free(peer);
        return 1;
    }
    char host[SPTCP_HOST_MAX];
    sptcp_get_connected_host(peer, host, sizeof host);
    printf("client: connected to %s:%d from local port %d\n", host, sptcp_get_connected_port(peer),
           sptcp_get_local_port(peer));
    sptcp_set_no_delay(peer, true);

    const char *messages[] = {"hello", "from C", "over streampeer_tcp"};
    int failures = 0;
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++) {
        size_t len = strlen(messages[i]);
        char echo[64] = {0};
        size_t got = 0;
        err = sptcp_put_data(peer, (const uint8_t *)messages[i], len);
        if (err == SPTCP_OK) {
            err = sptcp_get_data(peer, (uint8_t *)echo, len, &got); /* blocks until all arrive */
        }
        if (err != SPTCP_OK || memcmp(echo, messages[i], len) != 0) {
            fprintf(stderr, "client: exchange failed: %s: %s\n", sptcp_error_name(err), sptcp_last_error_message());
            failures++;
            break;
        }
        printf("client: sent \"%s\", echoed \"%.*s\"\n", messages[i], (int)got, echo);
    }
    sptcp_disconnect_from_host(peer);
    printf("client: status %s -> %s (disconnected)\n", status_name(st), status_name(sptcp_get_status(peer)));
    sptcp_peer_free(peer);
    return failures ? 1 : 0;
}
