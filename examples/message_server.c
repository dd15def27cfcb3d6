/* Serving untrusted clients: a poll-group server that never blocks on one
 * client. Each client's bytes are collected with sptcp_get_partial_data
 * into its own StreamPeerBuffer; a message (put_var's u32 length and a
 * Variant) is decoded with sptcp_get_var on that buffer only once it is
 * complete; a length over the limit, bytes that are not a Variant, and a
 * client silent for too long each get the client dropped. Every message is
 * echoed back.
 *
 *   message_server [port]      serve on 127.0.0.1 (0: a free port) until killed
 *   message_server --selftest  a good client (its message in two halves), a
 *                              2 GiB length prefix, garbage and a silent
 *                              client against the server, in one thread */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "streampeer_tcp.h"

#define MAX_CLIENTS 64
#define MAX_MESSAGE 4096 /* bytes of one encoded Variant */

struct client {
    sptcp_peer *peer;  /* NULL: a free slot */
    sptcp_peer *inbox; /* a StreamPeerBuffer: what arrived, not yet decoded */
    long long last_ms; /* when it last sent something */
};

struct server {
    sptcp_server *listener;
    sptcp_group *group;
    struct client clients[MAX_CLIENTS];
    long long idle_ms;
    int served, too_long, invalid, idle, closed;
};

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void drop(struct client *c, int *reason) {
    sptcp_peer_free(c->peer); /* also leaves the group */
    sptcp_peer_free(c->inbox);
    c->peer = c->inbox = NULL;
    (*reason)++;
}

/* docs:begin messages */
/* Decodes and answers every complete message in the inbox; the counter to
 * drop the client for, or NULL. */
static int *handle_messages(struct server *s, struct client *c) {
    for (;;) {
        int64_t start = sptcp_buffer_get_position(c->inbox);
        if (sptcp_buffer_get_size(c->inbox) - start < 4) break;
        int32_t len = 0;
        sptcp_get_32(c->inbox, &len);                          /* the length prefix */
        if (len < 0 || len > MAX_MESSAGE) return &s->too_long; /* refused before allocating */
        sptcp_buffer_seek(c->inbox, start);
        if (sptcp_buffer_get_size(c->inbox) - start < 4 + (int64_t)len) break; /* not complete yet */
        sptcp_variant *msg = NULL;
        if (sptcp_get_var(c->inbox, false, &msg) != SPTCP_OK) return &s->invalid;
        sptcp_put_var(c->peer, msg, false); /* the answer: a real server would look at msg */
        sptcp_variant_free(msg);
        s->served++;
    }
    /* Keep only the bytes not decoded yet (fewer than 4 + MAX_MESSAGE). */
    static uint8_t all[4 + MAX_MESSAGE + 4096];
    int64_t pos = sptcp_buffer_get_position(c->inbox);
    size_t size = sptcp_buffer_get_data_array(c->inbox, all, sizeof all);
    sptcp_buffer_set_data_array(c->inbox, all + pos, size - (size_t)pos);
    sptcp_buffer_seek(c->inbox, sptcp_buffer_get_size(c->inbox)); /* append after them */
    return NULL;
}

/* Reads what has arrived (never waits) and handles it. */
static void on_readable(struct server *s, struct client *c) {
    uint8_t buf[4096];
    size_t got = 0;
    if (sptcp_get_partial_data(c->peer, buf, sizeof buf, &got) != SPTCP_OK) {
        drop(c, &s->closed); /* closed (FILE_EOF) or reset */
        return;
    }
    if (got == 0) return;
    c->last_ms = now_ms();
    sptcp_put_data(c->inbox, buf, got);
    sptcp_buffer_seek(c->inbox, 0);
    int *reason = handle_messages(s, c);
    if (reason) drop(c, reason);
}

/* docs:end messages */

static void accept_all(struct server *s) {
    sptcp_peer *p;
    while ((p = sptcp_server_take_connection(s->listener)) != NULL) {
        struct client *c = NULL;
        for (int i = 0; i < MAX_CLIENTS && !c; i++)
            if (!s->clients[i].peer) c = &s->clients[i];
        if (!c) {
            sptcp_peer_free(p); /* full */
            continue;
        }
        *c = (struct client){p, sptcp_buffer_new(), now_ms()};
        sptcp_group_add_peer(s->group, p, SPTCP_EVENT_READABLE, c);
    }
}

/* docs:begin loop */
/* Serves for `ms` milliseconds (-1: for ever). */
static void serve(struct server *s, long long ms) {
    long long end = now_ms() + ms;
    while (ms < 0 || now_ms() < end) {
        sptcp_event ev[64];
        size_t n = 0;
        sptcp_group_wait(s->group, 10, ev, 64, &n);
        for (size_t i = 0; i < n; i++) {
            struct client *c = ev[i].user_data;
            if (c == NULL) accept_all(s);                          /* the listener */
            else if (ev[i].events & SPTCP_EVENT_READABLE) on_readable(s, c); /* bytes first */
            else drop(c, &s->closed);                           /* HANGUP or ERROR */
        }
        for (int i = 0; i < MAX_CLIENTS; i++) {
            struct client *c = &s->clients[i];
            if (c->peer && now_ms() - c->last_ms > s->idle_ms) drop(c, &s->idle);
        }
    }
}

/* docs:end loop */

static int open_server(struct server *s, int port, long long idle_ms) {
    memset(s, 0, sizeof *s);
    s->idle_ms = idle_ms;
    s->listener = sptcp_server_new();
    s->group = sptcp_group_new();
    if (sptcp_server_listen(s->listener, port, "127.0.0.1") != SPTCP_OK) return -1;
    sptcp_group_add_server(s->group, s->listener, NULL);
    printf("message_server: listening on 127.0.0.1:%d\n", sptcp_server_get_local_port(s->listener));
    return 0;
}

static void close_server(struct server *s) {
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (s->clients[i].peer) drop(&s->clients[i], &s->closed);
    sptcp_server_free(s->listener);
    sptcp_group_free(s->group);
}

/* ---- the self-test: clients on the same thread ------------------------- */

static sptcp_peer *client(struct server *s) {
    sptcp_peer *p = sptcp_peer_new();
    sptcp_connect_to_host(p, "127.0.0.1", sptcp_server_get_local_port(s->listener));
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING) sptcp_poll(p);
    sptcp_set_io_timeout_ms(p, 2000);
    return p;
}

static int selftest(void) {
    struct server s;
    if (open_server(&s, 0, 500) != 0) return 1;
    sptcp_peer *good = client(&s), *huge = client(&s), *garbage = client(&s), *silent = client(&s);
    serve(&s, 100);

    /* The good client's message, put_var's bytes, sent in two halves. */
    sptcp_peer *wire = sptcp_buffer_new();
    sptcp_variant *msg = sptcp_variant_new_dictionary();
    sptcp_variant_dict_set(msg, sptcp_variant_new_string("hp"), sptcp_variant_new_int(42));
    sptcp_put_var(wire, msg, false);
    uint8_t bytes[64];
    size_t len = sptcp_buffer_get_data_array(wire, bytes, sizeof bytes);
    sptcp_put_data(good, bytes, len / 2);

    const uint8_t prefix[4] = {0xf0, 0xff, 0xff, 0x7f}; /* "2 GiB follow" */
    sptcp_put_data(huge, prefix, 4);
    const uint8_t junk[12] = {8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    sptcp_put_data(garbage, junk, sizeof junk);
    serve(&s, 100); /* the half message waits; the other two are dropped */

    sptcp_put_data(good, bytes + len / 2, len - len / 2);
    serve(&s, 100);
    sptcp_variant *echo = NULL;
    int ok = sptcp_get_var(good, false, &echo) == SPTCP_OK && sptcp_variant_equal(echo, msg);
    sptcp_variant_free(echo);
    sptcp_peer_free(good); /* the server sees it close */
    serve(&s, 700);        /* and drops the silent one after 500 ms */

    printf("message_server: served %d, dropped: %d too long, %d not a Variant, %d idle, %d closed\n", s.served,
           s.too_long, s.invalid, s.idle, s.closed);
    ok = ok && s.served == 1 && s.too_long == 1 && s.invalid == 1 && s.idle == 1 && s.closed == 1;
    sptcp_variant_free(msg);
    sptcp_peer_free(wire);
    sptcp_peer_free(huge);
    sptcp_peer_free(garbage);
    sptcp_peer_free(silent);
    close_server(&s);
    printf("message_server: selftest %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "--selftest") == 0) return selftest();
    struct server s;
    if (open_server(&s, argc > 1 ? atoi(argv[1]) : 0, 30000) != 0) {
        fprintf(stderr, "message_server: listen: %s\n", sptcp_last_error_message());
        return 1;
    }
    serve(&s, -1);
    close_server(&s);
    return 0;
}
