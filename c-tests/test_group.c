/* Waiting without busy loops (c-api.md §7): sptcp_wait, sptcp_server_wait
 * and poll groups — readiness of each kind, level-triggering, no
 * starvation, membership, freeing members and groups, buffered bytes, the
 * group descriptor inside an outer poll(2), timeouts, EINTR, and no leaked
 * descriptor over many add/remove cycles. */
#include "check.h"

#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define R SPTCP_EVENT_READABLE
#define W SPTCP_EVENT_WRITABLE
#define HUP SPTCP_EVENT_HANGUP
#define ERR SPTCP_EVENT_ERROR
#define ACC SPTCP_EVENT_ACCEPTABLE

/* Waits once on `g` and returns the events of `who` (0 when not reported);
 * *count gets how many members were reported. */
static uint32_t events_of(sptcp_group *g, int timeout_ms, void *who, size_t *count) {
    sptcp_event ev[64];
    size_t n = 99;
    if (sptcp_group_wait(g, timeout_ms, ev, 64, &n) != SPTCP_OK) {
        return 0xdead;
    }
    if (count) {
        *count = n;
    }
    uint32_t found = 0;
    int times = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].user_data == who) {
            found = ev[i].events;
            times++;
        }
    }
    return times > 1 ? 0xbad : found; /* one event per member per wait */
}

/* Waits (up to 2 s) until `who` is reported with all of `bits`. */
static uint32_t wait_for(sptcp_group *g, void *who, uint32_t bits) {
    long long end = now_ms() + 2000;
    uint32_t got = 0;
    while (now_ms() < end) {
        got = events_of(g, 100, who, NULL);
        if ((got & bits) == bits) {
            return got;
        }
    }
    return got;
}

static int open_fds(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

static void *tag(int i) {
    return (void *)(intptr_t)(i + 1);
}

static void null_and_arguments(void) {
    sptcp_group_free(NULL);
    CHECK_EQ(sptcp_group_size(NULL), 0);
    CHECK_EQ(sptcp_group_get_fd(NULL), -1);
    CHECK_EQ(sptcp_get_socket(NULL), -1);
    CHECK_EQ(sptcp_server_get_socket(NULL), -1);
    size_t n = 7;
    sptcp_event ev[2];
    CHECK_EQ(sptcp_group_wait(NULL, 0, ev, 2, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(n, 0);
    sptcp_group *g = sptcp_group_new();
    NEED(g != NULL);
    CHECK(sptcp_group_get_fd(g) >= 0); /* epoll on Linux */
    CHECK_EQ(sptcp_group_wait(g, 0, NULL, 2, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_group_wait(g, 0, NULL, 0, &n), SPTCP_OK);
    CHECK_EQ(sptcp_group_wait(g, 0, ev, 2, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_group_wait(g, -2, ev, 2, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_group_add_peer(g, NULL, R, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_group_add_server(g, NULL, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_group_add_peer(NULL, NULL, R, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_group_remove_peer(g, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_group_set_interest(g, NULL, R), SPTCP_ERR_INVALID_PARAMETER);
    uint32_t ready = 9;
    CHECK_EQ(sptcp_wait(NULL, R, 0, &ready), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(ready, 0);
    CHECK_EQ(sptcp_server_wait(NULL, 0), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_group_free(g);
}

static void single_waits(void) {
    /* No socket: UNAVAILABLE at once, whatever the timeout. */
    sptcp_peer *p = sptcp_peer_new();
    uint32_t ready = 9;
    long long t0 = now_ms();
    CHECK_EQ(sptcp_wait(p, R, 5000, &ready), SPTCP_ERR_UNAVAILABLE);
    CHECK(now_ms() - t0 < 1000);
    CHECK_EQ(ready, 0);
    CHECK_EQ(sptcp_get_socket(p), -1);
    sptcp_peer_free(p);
    /* A buffer never waits. */
    sptcp_peer *b = sptcp_buffer_new();
    CHECK_EQ(sptcp_wait(b, R | W, -1, &ready), SPTCP_OK);
    CHECK_EQ(ready, W);
    sptcp_put_u32(b, 1);
    sptcp_buffer_seek(b, 0);
    CHECK_EQ(sptcp_wait(b, R, -1, &ready), SPTCP_OK);
    CHECK_EQ(ready, R);
    sptcp_buffer_seek(b, 4);
    CHECK_EQ(sptcp_wait(b, R, -1, &ready), SPTCP_ERR_TIMEOUT);
    CHECK_EQ(sptcp_get_socket(b), -1);
    sptcp_peer_free(b);

    /* A server: not listening, nothing yet, a connection. */
    sptcp_server *s = sptcp_server_new();
    CHECK_EQ(sptcp_server_wait(s, 0), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_server_get_socket(s), -1);
    int port = start_server(s, "127.0.0.1");
    CHECK(sptcp_server_get_socket(s) >= 0);
    t0 = now_ms();
    CHECK_EQ(sptcp_server_wait(s, 60), SPTCP_ERR_TIMEOUT);
    long long took = now_ms() - t0;
    CHECK(took >= 50 && took < 2000);
    sptcp_peer *c = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(sptcp_server_wait(s, 5000), SPTCP_OK);
    sptcp_peer *a = sptcp_server_take_connection(s);
    NEED(a != NULL);
    CHECK(sptcp_get_socket(a) >= 0);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);

    /* Writable at once; readable only after data; a timeout in bounds. */
    CHECK_EQ(sptcp_wait(a, W, 0, &ready), SPTCP_OK);
    CHECK_EQ(ready, W);
    t0 = now_ms();
    CHECK_EQ(sptcp_wait(a, R, 60, &ready), SPTCP_ERR_TIMEOUT);
    took = now_ms() - t0;
    CHECK(took >= 50 && took < 2000);
    CHECK_EQ(ready, 0);
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)"abcdefgh", 8), SPTCP_OK);
    CHECK_EQ(sptcp_wait(a, R, 5000, &ready), SPTCP_OK);
    CHECK_EQ(ready, R);
    CHECK_EQ(sptcp_wait(a, R | W, 0, &ready), SPTCP_OK);
    CHECK_EQ(ready, R | W);
    /* A small read pulls all 8 bytes into the library: the socket has
     * none, and the 7 left still count as readable. */
    uint8_t one = 0;
    CHECK_EQ(sptcp_get_u8(a, &one), SPTCP_OK);
    CHECK_EQ(sptcp_get_available_bytes(a), 7);
    CHECK_EQ(sptcp_wait(a, R, 0, &ready), SPTCP_OK);
    CHECK_EQ(ready, R);
    uint8_t rest[7];
    CHECK_EQ(sptcp_get_data(a, rest, 7, NULL), SPTCP_OK);
    CHECK_EQ(sptcp_wait(a, R, 0, &ready), SPTCP_ERR_TIMEOUT);

    /* The far side closes: HANGUP, asked for or not; status unchanged. */
    sptcp_peer_free(c);
    CHECK_EQ(sptcp_wait(a, 0, 5000, &ready), SPTCP_OK);
    CHECK(ready & HUP);
    CHECK_EQ(sptcp_get_status(a), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(poll_until(a, SPTCP_STATUS_NONE, 5000), SPTCP_STATUS_NONE);
    sptcp_peer_free(a);

    /* A refused connect: the wait reports it and leaves it for poll. */
    sptcp_server_stop(s);
    sptcp_peer *r = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(r, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(sptcp_wait(r, W, 5000, &ready), SPTCP_OK);
    CHECK(ready & (ERR | HUP));
    CHECK_EQ(sptcp_get_status(r), SPTCP_STATUS_CONNECTING);
    CHECK_EQ(sptcp_poll(r), SPTCP_ERR_CONNECTION_ERROR);
    CHECK_EQ(sptcp_get_status(r), SPTCP_STATUS_ERROR);
    CHECK(strstr(sptcp_last_error_message(), "refused") != NULL);
    sptcp_peer_free(r);
    sptcp_server_free(s);
}

static void group_readiness(void) {
    sptcp_group *g = sptcp_group_new();
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    CHECK_EQ(sptcp_group_add_server(g, s, tag(100)), SPTCP_OK);
    /* A peer without a socket may join; it reports once it has one. */
    sptcp_peer *c = sptcp_peer_new();
    CHECK_EQ(sptcp_group_add_peer(g, c, W, tag(1)), SPTCP_OK);
    CHECK_EQ(sptcp_group_size(g), 2);
    size_t n = 99;
    CHECK_EQ(events_of(g, 0, tag(1), &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(wait_for(g, tag(100), ACC), ACC);
    CHECK_EQ(wait_for(g, tag(1), W), W); /* the connect finished */
    sptcp_peer *a = sptcp_server_take_connection(s);
    NEED(a != NULL);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(events_of(g, 0, tag(100), NULL), 0); /* nothing left to take */
    CHECK_EQ(sptcp_group_add_peer(g, a, R | W, tag(2)), SPTCP_OK);
    CHECK_EQ(sptcp_group_set_interest(g, c, R), SPTCP_OK);
    /* Level-triggered, one event per member with every bit. */
    CHECK_EQ(events_of(g, 0, tag(2), NULL), W);
    CHECK_EQ(sptcp_put_u32(c, 42), SPTCP_OK);
    CHECK_EQ(wait_for(g, tag(2), R), R | W);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(events_of(g, 0, tag(2), NULL), R | W);
    }
    CHECK_EQ(events_of(g, 0, tag(1), NULL), 0); /* c: nothing to read */
    uint32_t v = 0;
    CHECK_EQ(sptcp_get_u32(a, &v), SPTCP_OK);
    CHECK_EQ(v, 42);
    CHECK_EQ(events_of(g, 0, tag(2), NULL), W);
    CHECK_EQ(sptcp_group_set_interest(g, a, R), SPTCP_OK);
    CHECK_EQ(events_of(g, 0, tag(2), NULL), 0);

    /* Buffered bytes count: 8 bytes arrive, a 1-byte read takes all of them
     * into the library; the group still reports READABLE until they are
     * read, and then stops. */
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)"12345678", 8), SPTCP_OK);
    CHECK_EQ(wait_for(g, tag(2), R), R);
    uint8_t b = 0;
    CHECK_EQ(sptcp_get_u8(a, &b), SPTCP_OK);
    CHECK_EQ(sptcp_get_available_bytes(a), 7);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(events_of(g, 0, tag(2), NULL), R);
    }
    uint8_t rest[7];
    CHECK_EQ(sptcp_get_data(a, rest, 7, NULL), SPTCP_OK);
    CHECK_EQ(events_of(g, 0, tag(2), NULL), 0);

    /* Changing the interest keeps the group descriptor right: bytes
     * buffered in the library, interest widened from 0 to READABLE, then
     * narrowed again (the count behind the descriptor went wrong here). */
    {
        struct pollfd gfd = {(int)sptcp_group_get_fd(g), POLLIN, 0};
        CHECK_EQ(sptcp_put_data(c, (const uint8_t *)"xyz", 3), SPTCP_OK);
        CHECK_EQ(wait_for(g, tag(2), R), R);
        CHECK_EQ(sptcp_group_set_interest(g, a, 0), SPTCP_OK);
        uint8_t x = 0;
        CHECK_EQ(sptcp_get_u8(a, &x), SPTCP_OK); /* 2 bytes stay buffered */
        CHECK_EQ(events_of(g, 0, tag(2), NULL), 0);
        CHECK_EQ(sptcp_group_set_interest(g, a, R), SPTCP_OK);
        CHECK_EQ(poll(&gfd, 1, 0), 1);
        CHECK_EQ(events_of(g, 0, tag(2), NULL), R);
        CHECK_EQ(sptcp_group_set_interest(g, a, W), SPTCP_OK);
        uint8_t yz[2];
        CHECK_EQ(sptcp_get_data(a, yz, 2, NULL), SPTCP_OK);
        CHECK_EQ(sptcp_group_set_interest(g, a, R), SPTCP_OK);
        gfd.revents = 0;
        CHECK_EQ(poll(&gfd, 1, 0), 0);
        /* A buffer: WRITABLE, then READABLE only, with nothing to read. */
        sptcp_peer *bb = sptcp_buffer_new();
        CHECK_EQ(sptcp_group_add_peer(g, bb, W, tag(77)), SPTCP_OK);
        CHECK_EQ(poll(&gfd, 1, 0), 1);
        CHECK_EQ(sptcp_group_set_interest(g, bb, R), SPTCP_OK);
        CHECK_EQ(events_of(g, 0, tag(77), NULL), 0);
        gfd.revents = 0;
        CHECK_EQ(poll(&gfd, 1, 0), 0);
        sptcp_peer_free(bb);
    }

    /* get_var decodes a message in place in the read-ahead: the group
     * must still see the next message buffered there, and nothing after. */
    {
        CHECK_EQ(sptcp_group_set_interest(g, a, R), SPTCP_OK);
        uint8_t two[24] = {8, 0, 0, 0, 2, 0, 0, 0, 11, 0, 0, 0, /* int 11 */
                           8, 0, 0, 0, 2, 0, 0, 0, 22, 0, 0, 0}; /* int 22 */
        CHECK_EQ(sptcp_put_data(c, two, sizeof two), SPTCP_OK);
        CHECK_EQ(wait_for(g, tag(2), R), R);
        int64_t got[2] = {0, 0};
        for (int i = 0; i < 2; i++) {
            sptcp_variant *v = NULL;
            CHECK_EQ(sptcp_get_var(a, false, &v), SPTCP_OK);
            CHECK_EQ(sptcp_variant_get_int(v, &got[i]), SPTCP_OK);
            sptcp_variant_free(v);
            /* the second came in the same receive: buffered, READABLE */
            CHECK_EQ(events_of(g, 0, tag(2), NULL), i == 0 ? R : 0);
            CHECK_EQ(sptcp_get_available_bytes(a), i == 0 ? 12 : 0);
        }
        CHECK_EQ(got[0], 11);
        CHECK_EQ(got[1], 22);
    }

    /* HANGUP whatever the interest (here none). */
    CHECK_EQ(sptcp_group_set_interest(g, a, 0), SPTCP_OK);
    sptcp_disconnect_from_host(c);
    CHECK_EQ(wait_for(g, tag(2), HUP) & HUP, HUP);
    CHECK_EQ(events_of(g, 0, tag(2), NULL) & HUP, HUP); /* level */
    sptcp_peer_free(a);
    CHECK_EQ(sptcp_group_size(g), 2);

    /* The group follows the peer: c reconnects and stays a member. */
    CHECK_EQ(sptcp_group_set_interest(g, c, W), SPTCP_OK);
    CHECK_EQ(events_of(g, 0, tag(1), NULL), 0); /* no socket now */
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(wait_for(g, tag(1), W), W);
    sptcp_peer *a2 = take_within(s, 5000);
    NEED(a2 != NULL);
    /* ERROR whatever the interest: a reset from the far side. */
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(sptcp_group_set_interest(g, c, 0), SPTCP_OK);
    int fd = (int)sptcp_get_socket(a2);
    struct linger lg = {1, 0};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    sptcp_peer_free(a2); /* closes with RST */
    uint32_t got = wait_for(g, tag(1), HUP);
    CHECK(got & (ERR | HUP));
    CHECK_EQ(sptcp_poll(c), SPTCP_FAILED);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_ERROR);
    sptcp_peer_free(c);
    CHECK_EQ(sptcp_group_size(g), 1);
    /* The server follows its socket too. */
    sptcp_server_stop(s);
    CHECK_EQ(events_of(g, 0, tag(100), NULL), 0);
    port = start_server(s, "127.0.0.1");
    sptcp_peer *c3 = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(c3, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(wait_for(g, tag(100), ACC), ACC);
    sptcp_peer_free(c3);
    sptcp_server_free(s);
    CHECK_EQ(sptcp_group_size(g), 0);
    sptcp_group_free(g);
}

static void membership(void) {
    sptcp_group *g = sptcp_group_new();
    sptcp_group *h = sptcp_group_new();
    sptcp_peer *p = sptcp_peer_new();
    sptcp_server *s = sptcp_uds_server_new();
    CHECK_EQ(sptcp_group_remove_peer(g, p), SPTCP_ERR_DOES_NOT_EXIST);
    CHECK_EQ(sptcp_group_set_interest(g, p, R), SPTCP_ERR_DOES_NOT_EXIST);
    CHECK_EQ(sptcp_group_remove_server(g, s), SPTCP_ERR_DOES_NOT_EXIST);
    CHECK_EQ(sptcp_group_add_peer(g, p, R, tag(1)), SPTCP_OK);
    CHECK_EQ(sptcp_group_add_peer(g, p, R, tag(1)), SPTCP_ERR_ALREADY_IN_USE);
    CHECK_EQ(sptcp_group_add_peer(h, p, R, tag(1)), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(strstr(sptcp_last_error_message(), "another group") != NULL);
    CHECK_EQ(sptcp_group_remove_peer(h, p), SPTCP_ERR_DOES_NOT_EXIST);
    CHECK_EQ(sptcp_group_add_server(g, s, tag(2)), SPTCP_OK);
    CHECK_EQ(sptcp_group_add_server(h, s, tag(2)), SPTCP_ERR_ALREADY_IN_USE);
    CHECK_EQ(sptcp_group_size(g), 2);
    CHECK_EQ(sptcp_group_remove_peer(g, p), SPTCP_OK);
    CHECK_EQ(sptcp_group_size(g), 1);
    CHECK_EQ(sptcp_group_add_peer(h, p, R, tag(3)), SPTCP_OK);
    /* Freeing a group: its members stay alive and may join another. */
    sptcp_group_free(g);
    CHECK_EQ(sptcp_group_add_server(h, s, tag(2)), SPTCP_OK);
    CHECK_EQ(sptcp_group_size(h), 2);
    sptcp_group_free(h);
    sptcp_group *k = sptcp_group_new();
    CHECK_EQ(sptcp_group_add_peer(k, p, R, tag(1)), SPTCP_OK);
    CHECK_EQ(sptcp_group_remove_peer(k, p), SPTCP_OK);
    sptcp_peer_free(p);
    sptcp_server_free(s); /* freed after its group: fine */
    sptcp_group_free(k);

    /* Buffers are members: always writable, readable while bytes remain. */
    sptcp_group *bg = sptcp_group_new();
    sptcp_peer *b = sptcp_buffer_new();
    CHECK_EQ(sptcp_group_add_peer(bg, b, R | W, tag(5)), SPTCP_OK);
    CHECK_EQ(events_of(bg, 0, tag(5), NULL), W);
    sptcp_put_u32(b, 7); /* the cursor is at the end: nothing to read */
    CHECK_EQ(events_of(bg, 0, tag(5), NULL), W);
    sptcp_buffer_seek(b, 0);
    CHECK_EQ(events_of(bg, 0, tag(5), NULL), R | W);
    CHECK_EQ(sptcp_group_set_interest(bg, b, R), SPTCP_OK);
    uint32_t v;
    sptcp_get_u32(b, &v);
    CHECK_EQ(events_of(bg, 0, tag(5), NULL), 0);
    sptcp_peer_free(b);
    CHECK_EQ(sptcp_group_size(bg), 0);
    sptcp_group_free(bg);
}

/* More members ready than a wait has room for: the next waits report the
 * others, so every member is seen within a few waits. */
static void no_starvation(void) {
    sptcp_group *g = sptcp_group_new();
    sptcp_server *s = sptcp_server_new();
    start_server(s, "127.0.0.1");
    enum { N = 10 };
    sptcp_peer *c[N], *a[N];
    for (int i = 0; i < N; i++) {
        NEED(connect_pair(s, &c[i], &a[i]) == 0);
        CHECK_EQ(sptcp_group_add_peer(g, a[i], R, tag(i)), SPTCP_OK);
        sptcp_put_u8(c[i], 1);
    }
    /* Half of them also have bytes buffered in the library. */
    for (int i = 0; i < N; i += 2) {
        sptcp_put_u8(c[i], 2);
    }
    long long end = now_ms() + 2000;
    int ready = 0;
    while (ready < N && now_ms() < end) {
        ready = 0;
        for (int i = 0; i < N; i++) {
            ready += sptcp_get_available_bytes(a[i]) >= (i % 2 == 0 ? 2 : 1);
        }
    }
    for (int i = 0; i < N; i += 2) {
        uint8_t x;
        sptcp_get_u8(a[i], &x); /* the second byte stays buffered */
    }
    int seen[N] = {0};
    for (int w = 0; w < 8; w++) {
        sptcp_event ev[3];
        size_t n = 0;
        CHECK_EQ(sptcp_group_wait(g, 1000, ev, 3, &n), SPTCP_OK);
        CHECK_EQ(n, 3);
        for (size_t i = 0; i < n; i++) {
            int k = (int)(intptr_t)ev[i].user_data - 1;
            if (k >= 0 && k < N) {
                seen[k]++;
            }
            CHECK_EQ(ev[i].events, R);
        }
    }
    for (int i = 0; i < N; i++) {
        CHECK(seen[i] >= 1);
        sptcp_peer_free(a[i]);
        sptcp_peer_free(c[i]);
    }
    sptcp_server_free(s);
    sptcp_group_free(g);
}

/* The group's descriptor inside an outer poll(2). */
static void descriptor_in_outer_loop(void) {
    sptcp_group *g = sptcp_group_new();
    struct pollfd pfd = {(int)sptcp_group_get_fd(g), POLLIN, 0};
    NEED(pfd.fd >= 0);
    CHECK_EQ(poll(&pfd, 1, 0), 0); /* empty */
    sptcp_server *s = sptcp_uds_server_new();
    char path[64];
    snprintf(path, sizeof path, "/tmp/sptcp-group-%d.sock", (int)getpid());
    NEED(sptcp_uds_server_listen(s, path) == SPTCP_OK);
    sptcp_peer *c = sptcp_uds_new();
    NEED(sptcp_uds_connect_to_host(c, path) == SPTCP_OK);
    sptcp_peer *a = take_within(s, 5000);
    NEED(a != NULL);
    CHECK_EQ(sptcp_group_add_peer(g, a, R, tag(1)), SPTCP_OK);
    CHECK_EQ(poll(&pfd, 1, 0), 0); /* nothing ready: not readable */
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)"hello!!!", 8), SPTCP_OK);
    CHECK_EQ(poll(&pfd, 1, 2000), 1); /* data: readable */
    CHECK(pfd.revents & POLLIN);
    uint8_t b;
    CHECK_EQ(sptcp_get_u8(a, &b), SPTCP_OK); /* 7 bytes stay in the library */
    CHECK_EQ(poll(&pfd, 1, 0), 1);           /* ...so it stays readable */
    CHECK_EQ(events_of(g, 0, tag(1), NULL), R);
    uint8_t rest[7];
    CHECK_EQ(sptcp_get_data(a, rest, 7, NULL), SPTCP_OK);
    pfd.revents = 0;
    CHECK_EQ(poll(&pfd, 1, 0), 0); /* drained: not readable */
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
    sptcp_group_free(g);
}

static void on_signal(int sig) {
    (void)sig;
}

struct kicker {
    pthread_t target;
    int ms;
};

static void *kick(void *arg) {
    struct kicker *k = arg;
    sleep_ms(k->ms);
    pthread_kill(k->target, SIGUSR1);
    return NULL;
}

/* Timeouts are kept, also when a signal interrupts the wait. */
static void timeouts_and_eintr(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait sees EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    sptcp_group *g = sptcp_group_new();
    sptcp_event ev[4];
    size_t n = 9;
    long long t0 = now_ms();
    CHECK_EQ(sptcp_group_wait(g, 80, ev, 4, &n), SPTCP_OK);
    long long took = now_ms() - t0;
    CHECK_EQ(n, 0);
    CHECK(took >= 70 && took < 2000);
    t0 = now_ms();
    CHECK_EQ(sptcp_group_wait(g, 0, ev, 4, &n), SPTCP_OK);
    CHECK(now_ms() - t0 < 100);
    /* No room for events: it still waits (a way to sleep until ready). */
    t0 = now_ms();
    CHECK_EQ(sptcp_group_wait(g, 80, NULL, 0, &n), SPTCP_OK);
    took = now_ms() - t0;
    CHECK(took >= 70 && took < 2000);
    CHECK_EQ(n, 0);
    struct kicker k = {pthread_self(), 50};
    pthread_t th;
    NEED(pthread_create(&th, NULL, kick, &k) == 0);
    t0 = now_ms();
    CHECK_EQ(sptcp_group_wait(g, 300, ev, 4, &n), SPTCP_OK);
    took = now_ms() - t0;
    pthread_join(th, NULL);
    CHECK_EQ(n, 0);
    CHECK(took >= 280 && took < 3000);
    /* sptcp_wait too. */
    sptcp_server *s = sptcp_server_new();
    sptcp_peer *c = NULL, *a = NULL;
    start_server(s, "127.0.0.1");
    NEED(connect_pair(s, &c, &a) == 0);
    NEED(pthread_create(&th, NULL, kick, &k) == 0);
    uint32_t ready = 9;
    t0 = now_ms();
    CHECK_EQ(sptcp_wait(a, R, 300, &ready), SPTCP_ERR_TIMEOUT);
    took = now_ms() - t0;
    pthread_join(th, NULL);
    CHECK(took >= 280 && took < 3000);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
    sptcp_group_free(g);
    signal(SIGUSR1, SIG_DFL);
}

/* Many add/remove cycles (and member frees) leak no descriptor. */
static void no_leaks(void) {
    int cycles = getenv("SOAK_CYCLES") ? atoi(getenv("SOAK_CYCLES")) : 10000;
    if (cycles > 10000) {
        cycles = 10000;
    }
    sptcp_server *s = sptcp_server_new();
    start_server(s, "127.0.0.1");
    sptcp_peer *c = NULL, *a = NULL;
    NEED(connect_pair(s, &c, &a) == 0);
    int before = open_fds();
    sptcp_group *g = sptcp_group_new();
    int failures = 0;
    for (int i = 0; i < cycles; i++) {
        failures += sptcp_group_add_peer(g, a, R, tag(i)) != SPTCP_OK;
        failures += sptcp_group_remove_peer(g, a) != SPTCP_OK;
        if (i % 1000 == 0) {
            sptcp_group *h = sptcp_group_new();
            sptcp_peer *b = sptcp_buffer_new();
            failures += sptcp_group_add_peer(h, b, W, NULL) != SPTCP_OK;
            failures += sptcp_group_add_peer(h, c, R, NULL) != SPTCP_OK;
            sptcp_peer_free(b);
            sptcp_group_free(h); /* c leaves with it */
        }
    }
    CHECK_EQ(failures, 0);
    CHECK_EQ(sptcp_group_size(g), 0);
    sptcp_group_free(g);
    CHECK_EQ(open_fds(), before);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

int main(void) {
    null_and_arguments();
    single_waits();
    group_readiness();
    membership();
    no_starvation();
    descriptor_in_outer_loop();
    timeouts_and_eintr();
    no_leaks();
    return check_summary("test_group");
}
