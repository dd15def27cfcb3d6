/* Hostile peers against a server written the way the README recommends
 * for untrusted clients, on a poll group: it never blocks on one client. Each client's bytes
 * are collected with get_partial_data into its own StreamPeerBuffer, and a
 * message is decoded (get_var on the buffer, with the max message size)
 * only once it is complete. Meanwhile some clients send a 4 GiB length
 * prefix, garbage Variants, one byte at a time (slowloris), or nothing at
 * all; the well-behaved clients must be served throughout, memory must stay
 * bounded, and every hostile client must get dropped. */
#define _GNU_SOURCE
#include "check.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>

#include "rawsock.h"

#define MAX_CLIENTS 32
#define MAX_MESSAGE 4096
#define IDLE_MS 1000

struct client {
    sptcp_peer *peer;
    sptcp_peer *inbox; /* a StreamPeerBuffer */
    long long last_byte;
};

static int served_messages, dropped_hostile;
static size_t peak_heap;

/* Decodes and answers every complete message in the inbox; returns -1 when
 * the client sent something that is not a valid message. */
static int handle_messages(struct client *cl) {
    for (;;) {
        int64_t start = sptcp_buffer_get_position(cl->inbox);
        int64_t left = sptcp_buffer_get_size(cl->inbox) - start;
        int32_t len = 0;
        if (left < 4) {
            break;
        }
        sptcp_get_32(cl->inbox, &len);
        if (len < 0 || len > MAX_MESSAGE) {
            return -1; /* refused before anything is allocated */
        }
        sptcp_buffer_seek(cl->inbox, start);
        if (left < 4 + (int64_t)len) {
            break; /* not complete yet */
        }
        sptcp_variant *msg = NULL;
        if (sptcp_get_var(cl->inbox, false, &msg) != SPTCP_OK) {
            return -1;
        }
        sptcp_put_var(cl->peer, msg, false); /* echo */
        sptcp_variant_free(msg);
        served_messages++;
    }
    /* Keep only the unread bytes. */
    int64_t pos = sptcp_buffer_get_position(cl->inbox), size = sptcp_buffer_get_size(cl->inbox);
    if (pos > 0) {
        uint8_t rest[MAX_MESSAGE + 4];
        size_t n = (size_t)(size - pos);
        sptcp_get_data(cl->inbox, rest, n, NULL);
        sptcp_buffer_set_data_array(cl->inbox, rest, n);
    }
    return 0;
}

static void drop(struct client *cl, int hostile) {
    sptcp_peer_free(cl->peer);
    sptcp_peer_free(cl->inbox);
    cl->peer = NULL;
    cl->inbox = NULL;
    dropped_hostile += hostile;
}

static atomic_int stop_server;

/* Reads what a client sent and answers every complete message; drops it
 * when it closed, broke the protocol or grew its inbox too far. */
static void service(struct client *cl) {
    sptcp_poll(cl->peer);
    if (sptcp_get_status(cl->peer) != SPTCP_STATUS_CONNECTED) {
        drop(cl, 0);
        return;
    }
    uint8_t buf[1024];
    size_t got = 0;
    if (sptcp_get_partial_data(cl->peer, buf, sizeof buf, &got) != SPTCP_OK) {
        drop(cl, 0);
        return;
    }
    if (got > 0) {
        cl->last_byte = now_ms();
        /* Append at the end, then parse from the start: the inbox only ever
         * holds unread bytes. */
        sptcp_buffer_seek(cl->inbox, sptcp_buffer_get_size(cl->inbox));
        sptcp_put_data(cl->inbox, buf, got);
        sptcp_buffer_seek(cl->inbox, 0);
        if (sptcp_buffer_get_size(cl->inbox) > MAX_MESSAGE + 4 + (int64_t)sizeof buf ||
            handle_messages(cl) != 0) {
            drop(cl, 1);
        }
    }
}

/* The server on a poll group: it sleeps in sptcp_group_wait until the
 * listener or a client is ready, and looks at every client only to drop
 * the idle ones. */
static void *serve(void *arg) {
    sptcp_server *s = arg;
    struct client clients[MAX_CLIENTS];
    memset(clients, 0, sizeof clients);
    sptcp_group *g = sptcp_group_new();
    sptcp_group_add_server(g, s, NULL);
    long long last_sweep = now_ms();
    while (!stop_server) {
        sptcp_event ev[MAX_CLIENTS + 1];
        size_t n = 0;
        sptcp_group_wait(g, 20, ev, MAX_CLIENTS + 1, &n);
        for (size_t e = 0; e < n; e++) {
            struct client *cl = ev[e].user_data;
            if (cl == NULL) { /* the listener */
                while (sptcp_server_is_connection_available(s)) {
                    sptcp_peer *p = sptcp_server_take_connection(s);
                    for (int i = 0; i < MAX_CLIENTS && p; i++) {
                        if (!clients[i].peer) {
                            clients[i] = (struct client){p, sptcp_buffer_new(), now_ms()};
                            sptcp_set_max_message_size(clients[i].inbox, MAX_MESSAGE);
                            sptcp_group_add_peer(g, p, SPTCP_EVENT_READABLE, &clients[i]);
                            p = NULL;
                        }
                    }
                    sptcp_peer_free(p); /* full: turn it away */
                }
            } else if (cl->peer) {
                service(cl); /* freeing the peer takes it out of the group */
            }
        }
        if (now_ms() - last_sweep >= 50) {
            last_sweep = now_ms();
            for (int i = 0; i < MAX_CLIENTS; i++) {
                if (clients[i].peer && now_ms() - clients[i].last_byte > IDLE_MS) {
                    drop(&clients[i], 1); /* silent, or too slow */
                }
            }
        }
        size_t heap = mallinfo2().uordblks;
        if (heap > peak_heap) {
            peak_heap = heap;
        }
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].peer) {
            drop(&clients[i], 0);
        }
    }
    CHECK_EQ(sptcp_group_size(g), 1);
    sptcp_group_free(g);
    return NULL;
}

static int port;

/* A well-behaved client: 50 messages, each echoed back. */
static void *good_client(void *arg) {
    int *ok = arg;
    sptcp_peer *p = sptcp_peer_new();
    sptcp_connect_to_host(p, "127.0.0.1", port);
    poll_until(p, SPTCP_STATUS_CONNECTED, 5000);
    *ok = 0;
    for (int i = 0; i < 50; i++) {
        sptcp_variant *msg = sptcp_variant_new_int(i);
        sptcp_variant *back = NULL;
        int64_t v = -1;
        if (sptcp_put_var(p, msg, false) == SPTCP_OK && sptcp_get_var(p, false, &back) == SPTCP_OK &&
            sptcp_variant_get_int(back, &v) == SPTCP_OK && v == i) {
            (*ok)++;
        }
        sptcp_variant_free(back);
        sptcp_variant_free(msg);
        sleep_ms(20);
    }
    sptcp_peer_free(p);
    return NULL;
}

/* Hostile clients on plain sockets. Each returns once the server dropped it
 * (recv gives 0 or an error) or after 5 s. */
static int wait_dropped(int fd) {
    long long end = now_ms() + 5000;
    char b;
    struct timeval tv = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (now_ms() < end) {
        ssize_t n = recv(fd, &b, 1, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            return 1;
        }
    }
    return 0;
}

static void *huge_prefix(void *arg) {
    int *dropped = arg;
    int fd = raw_connect(port);
    const uint8_t prefix[4] = {0xf0, 0xff, 0xff, 0x7f}; /* 2 GiB */
    send(fd, (const char *)prefix, 4, RAW_NOSIGNAL);
    *dropped = wait_dropped(fd);
    raw_close(fd);
    fd = raw_connect(port);
    const uint8_t neg[4] = {0xff, 0xff, 0xff, 0xff}; /* "4 GiB": negative */
    send(fd, (const char *)neg, 4, RAW_NOSIGNAL);
    *dropped += wait_dropped(fd);
    raw_close(fd);
    return NULL;
}

static void *garbage(void *arg) {
    int *dropped = arg;
    int fd = raw_connect(port);
    uint8_t msg[20] = {16, 0, 0, 0, 0xee, 0, 0, 0}; /* type 238: not a type */
    for (int i = 8; i < 20; i++) {
        msg[i] = (uint8_t)(i * 37);
    }
    send(fd, (const char *)msg, sizeof msg, RAW_NOSIGNAL);
    *dropped = wait_dropped(fd);
    raw_close(fd);
    return NULL;
}

static void *slowloris(void *arg) {
    int *dropped = arg;
    int fd = raw_connect(port);
    /* A valid put_var(42), one byte every 1.5 s: idle too long each time. */
    const uint8_t msg[12] = {8, 0, 0, 0, 2, 0, 0, 0, 42, 0, 0, 0};
    send(fd, (const char *)msg, 1, RAW_NOSIGNAL);
    sleep_ms(1500);
    send(fd, (const char *)msg + 1, 1, RAW_NOSIGNAL);
    *dropped = wait_dropped(fd);
    raw_close(fd);
    return NULL;
}

static void *silent(void *arg) {
    int *dropped = arg;
    int fd = raw_connect(port);
    *dropped = wait_dropped(fd);
    raw_close(fd);
    return NULL;
}

int main(void) {
    sptcp_server *s = sptcp_server_new();
    port = start_server(s, "127.0.0.1");
    REQUIRE(port > 0);
    pthread_t server_thread;
    pthread_create(&server_thread, NULL, serve, s);

    pthread_t good[3], bad[4];
    int good_ok[3] = {0}, bad_dropped[4] = {0};
    void *(*hostile[4])(void *) = {huge_prefix, garbage, slowloris, silent};
    for (int i = 0; i < 4; i++) {
        pthread_create(&bad[i], NULL, hostile[i], &bad_dropped[i]);
    }
    for (int i = 0; i < 3; i++) {
        pthread_create(&good[i], NULL, good_client, &good_ok[i]);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(good[i], NULL);
        CHECK_EQ(good_ok[i], 50);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(bad[i], NULL);
    }
    stop_server = 1;
    pthread_join(server_thread, NULL);
    CHECK_EQ(bad_dropped[0], 2); /* both huge prefixes */
    CHECK_EQ(bad_dropped[1], 1); /* garbage */
    CHECK_EQ(bad_dropped[2], 1); /* slowloris */
    CHECK_EQ(bad_dropped[3], 1); /* silent */
    CHECK_EQ(served_messages, 150);
    CHECK(dropped_hostile >= 5);
    printf("hostile: %d messages served, %d hostile clients dropped, peak heap %zu bytes\n", served_messages,
           dropped_hostile, peak_heap);
    CHECK(peak_heap < (8u << 20));
    sptcp_server_free(s);
    return check_summary("test_hostile");
}
