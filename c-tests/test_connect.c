/* Connecting and staying connected (c-api.md §8) on loopback: async
 * connects (names looked up on resolver threads, failures from poll),
 * waiting for them alone and in a group, keepalive options on the socket,
 * half-close both ways, the far side's close with bytes unread, exact byte
 * counters, and I/O timeouts that leave the stream in step. The network
 * namespace checks (a blackholed IPv6 address, a slow DNS server, keepalive
 * on a dead path) are in faults.c. */
#include "check.h"

#ifdef __linux__
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#define LINUX_CHECKS 1
#else
/* Elsewhere (Windows under Wine): everything but the socket options read
 * back and the resolver threads counted, which need Linux. */
#define LINUX_CHECKS 0
#endif

#if LINUX_CHECKS
/* The library's resolver threads (named "sptcp-resolver") alive now, from
 * /proc/self/task; -1 if unknown. */
static int threads_now(void) {
    DIR *d = opendir("/proc/self/task");
    if (d == NULL) {
        return -1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[300], name[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f != NULL) {
            if (fgets(name, sizeof name, f) == NULL) {
                name[0] = 0;
            }
            fclose(f);
        }
        n += strncmp(name, "sptcp-resolver", 14) == 0;
    }
    closedir(d);
    return n;
}
#else
static int threads_now(void) {
    return -1;
}
#endif

static long long longest_poll_ms;

/* Polls until the status leaves CONNECTING (or 10 s); remembers the
 * longest single poll. Returns the last poll's result. */
static sptcp_error poll_out_of_connecting(sptcp_peer *p) {
    sptcp_error last = SPTCP_OK;
    long long end = now_ms() + 10000;
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING && now_ms() < end) {
        long long t = now_ms();
        last = sptcp_poll(p);
        long long took = now_ms() - t;
        if (took > longest_poll_ms) {
            longest_poll_ms = took;
        }
        sleep_ms(1);
    }
    return last;
}

static void defaults_and_null(void) {
    sptcp_peer *p = sptcp_peer_new();
    CHECK_EQ(sptcp_is_async_connect_enabled(p), false);
    CHECK_EQ(sptcp_get_happy_eyeballs_delay_ms(p), 250u);
    CHECK_EQ(sptcp_get_io_timeout_ms(p), 0u);
    CHECK_EQ(sptcp_is_peer_closed(p), false);
    CHECK_EQ(sptcp_get_bytes_sent(p), 0u);
    CHECK_EQ(sptcp_get_bytes_received(p), 0u);
    sptcp_set_async_connect(p, true);
    CHECK_EQ(sptcp_is_async_connect_enabled(p), true);
    sptcp_set_happy_eyeballs_delay_ms(p, 40);
    CHECK_EQ(sptcp_get_happy_eyeballs_delay_ms(p), 40u);
    sptcp_set_io_timeout_ms(p, 1234);
    CHECK_EQ(sptcp_get_io_timeout_ms(p), 1234u);
    sptcp_set_io_timeout_ms(p, 0);
    CHECK_EQ(sptcp_get_io_timeout_ms(p), 0u);
    /* Not connected. */
    CHECK_EQ(sptcp_shutdown_write(p), SPTCP_FAILED);
    CHECK_EQ(sptcp_set_keepalive(p, true, 1, 1, 1), SPTCP_OK);
    CHECK_EQ(sptcp_set_keepalive(p, true, 32768, 1, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_set_keepalive(p, true, 1, 40000, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_set_keepalive(p, true, 1, 1, 128), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_peer_free(p);

    /* NULL: the documented nothing values, no crash. */
    sptcp_set_async_connect(NULL, true);
    CHECK_EQ(sptcp_is_async_connect_enabled(NULL), false);
    sptcp_set_happy_eyeballs_delay_ms(NULL, 1);
    CHECK_EQ(sptcp_get_happy_eyeballs_delay_ms(NULL), 0u);
    CHECK_EQ(sptcp_set_keepalive(NULL, true, 1, 1, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_shutdown_write(NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_is_peer_closed(NULL), false);
    CHECK_EQ(sptcp_get_bytes_sent(NULL), 0u);
    CHECK_EQ(sptcp_get_bytes_received(NULL), 0u);
    sptcp_set_io_timeout_ms(NULL, 5);
    CHECK_EQ(sptcp_get_io_timeout_ms(NULL), 0u);

    /* A buffer is not a TCP peer and has no socket. */
    sptcp_peer *b = sptcp_buffer_new();
    sptcp_set_async_connect(b, true);
    CHECK_EQ(sptcp_is_async_connect_enabled(b), false);
    CHECK_EQ(sptcp_set_keepalive(b, true, 1, 1, 1), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_shutdown_write(b), SPTCP_ERR_UNAVAILABLE);
    sptcp_set_io_timeout_ms(b, 5);
    CHECK_EQ(sptcp_get_io_timeout_ms(b), 0u);
    sptcp_peer_free(b);
}

static void async_connect_by_name(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "*");
    NEED(port > 0);
    sptcp_peer *p = sptcp_peer_new();
    sptcp_set_async_connect(p, true);
    CHECK_EQ(sptcp_connect_to_host(p, "localhost", port), SPTCP_OK);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_CONNECTING);
    char host[SPTCP_HOST_MAX];
    sptcp_get_connected_host(p, host, sizeof host);
    CHECK_STR(host, "");
    CHECK_EQ(sptcp_get_connected_port(p), 0);
    /* The status and port checks come first, and still apply. */
    CHECK_EQ(sptcp_connect_to_host(p, "localhost", port), SPTCP_ERR_ALREADY_IN_USE);
    CHECK_EQ(poll_out_of_connecting(p), SPTCP_OK);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(sptcp_get_connected_port(p), port);
    sptcp_get_connected_host(p, host, sizeof host);
    CHECK(strcmp(host, "127.0.0.1") == 0 || strcmp(host, "0:0:0:0:0:0:0:1") == 0);
    sptcp_peer *a = take_within(s, 5000);
    NEED(a != NULL);
    CHECK_EQ(sptcp_put_u32(p, 0xfeedbeefu), SPTCP_OK);
    uint32_t v = 0;
    CHECK_EQ(sptcp_get_u32(a, &v), SPTCP_OK);
    CHECK_EQ(v, 0xfeedbeefu);
    printf("connect: async connect to localhost, longest poll %lld ms\n", longest_poll_ms);
    CHECK(longest_poll_ms < 50);

    /* Reconnect on the same peer; then a port check before anything. */
    sptcp_disconnect_from_host(p);
    CHECK_EQ(sptcp_connect_to_host(p, "localhost", 0), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_connect_to_host(p, "localhost", port), SPTCP_OK);
    CHECK_EQ(poll_out_of_connecting(p), SPTCP_OK);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_CONNECTED);
    sptcp_peer *a2 = take_within(s, 5000);
    CHECK(a2 != NULL);
    sptcp_peer_free(a2);
    sptcp_peer_free(a);

    /* An IP literal connects at once, as without async connects. */
    sptcp_disconnect_from_host(p);
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", port), SPTCP_OK);
    sptcp_get_connected_host(p, host, sizeof host);
    CHECK_STR(host, "127.0.0.1");
    CHECK_EQ(poll_until(p, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
    sptcp_peer_free(p);
    sptcp_server_free(s);
}

static void async_names_that_do_not_resolve(void) {
    const char *names[] = {"nonexistent.invalid", "*", "no such host"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        sptcp_peer *p = sptcp_peer_new();
        sptcp_set_async_connect(p, true);
        CHECK_EQ(sptcp_connect_to_host(p, names[i], 80), SPTCP_OK);
        CHECK_EQ(poll_out_of_connecting(p), SPTCP_ERR_CANT_RESOLVE);
        CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_ERROR);
        CHECK(strstr(sptcp_last_error_message(), "resolve") != NULL);
        /* A poll in ERROR changes nothing. */
        CHECK_EQ(sptcp_poll(p), SPTCP_OK);
        CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_ERROR);
        sptcp_peer_free(p);
    }
    /* Without async connects the lookup fails in connect_to_host. */
    sptcp_peer *p = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(p, "nonexistent.invalid", 80), SPTCP_ERR_CANT_RESOLVE);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);
    sptcp_peer_free(p);
}

static void free_and_disconnect_during_lookups(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    NEED(port > 0);
    /* Many peers at once: more lookups than resolver threads. */
    enum { N = 24 };
    sptcp_peer *ps[N];
    for (int i = 0; i < N; i++) {
        ps[i] = sptcp_peer_new();
        sptcp_set_async_connect(ps[i], true);
        CHECK_EQ(sptcp_connect_to_host(ps[i], "localhost", port), SPTCP_OK);
    }
    /* Free half at once (mid lookup, most of them), disconnect the rest
     * and connect those again. */
    long long t = now_ms();
    for (int i = 0; i < N / 2; i++) {
        sptcp_peer_free(ps[i]);
    }
    for (int i = N / 2; i < N; i++) {
        sptcp_disconnect_from_host(ps[i]);
        CHECK_EQ(sptcp_get_status(ps[i]), SPTCP_STATUS_NONE);
    }
    long long took = now_ms() - t;
    printf("connect: freeing or disconnecting %d connecting peers took %lld ms\n", N, took);
    CHECK(took < 100);
    for (int i = N / 2; i < N; i++) {
        CHECK_EQ(sptcp_connect_to_host(ps[i], "localhost", port), SPTCP_OK);
    }
    /* Take each connection as it comes (the backlog is 8). */
    int connected = 0;
    for (int i = N / 2; i < N; i++) {
        long long end = now_ms() + 10000;
        while (sptcp_get_status(ps[i]) == SPTCP_STATUS_CONNECTING && now_ms() < end) {
            sptcp_poll(ps[i]);
            if (sptcp_server_is_connection_available(s)) {
                sptcp_peer_free(sptcp_server_take_connection(s));
            }
            sleep_ms(1);
        }
        connected += sptcp_get_status(ps[i]) == SPTCP_STATUS_CONNECTED;
        sptcp_peer_free(ps[i]);
    }
    CHECK_EQ(connected, N / 2);
    sptcp_server_free(s);
}

static void waiting_for_async_connects(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    NEED(port > 0);
    /* One peer: sptcp_wait says WRITABLE ("call poll") until connected. */
    sptcp_peer *p = sptcp_peer_new();
    sptcp_set_async_connect(p, true);
    CHECK_EQ(sptcp_connect_to_host(p, "localhost", port), SPTCP_OK);
    int rounds = 0;
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING && rounds++ < 100) {
        uint32_t ready = 0;
        CHECK_EQ(sptcp_wait(p, SPTCP_EVENT_WRITABLE, 5000, &ready), SPTCP_OK);
        CHECK(ready & SPTCP_EVENT_WRITABLE);
        sptcp_poll(p);
    }
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_CONNECTED);
    CHECK(rounds < 10);
    sptcp_peer_free(p);
    sptcp_peer *first = take_within(s, 5000);
    CHECK(first != NULL);
    sptcp_peer_free(first);

    /* In a group: the lookup's end wakes the wait, and so does a name
     * that does not resolve. */
    sptcp_group *g = sptcp_group_new();
    sptcp_peer *ok = sptcp_peer_new();
    sptcp_peer *bad = sptcp_peer_new();
    sptcp_set_async_connect(ok, true);
    sptcp_set_async_connect(bad, true);
    CHECK_EQ(sptcp_group_add_peer(g, ok, SPTCP_EVENT_WRITABLE, ok), SPTCP_OK);
    CHECK_EQ(sptcp_connect_to_host(ok, "localhost", port), SPTCP_OK);
    CHECK_EQ(sptcp_connect_to_host(bad, "nonexistent.invalid", port), SPTCP_OK);
    /* Added mid connect. */
    CHECK_EQ(sptcp_group_add_peer(g, bad, SPTCP_EVENT_WRITABLE, bad), SPTCP_OK);
    int ok_done = 0, bad_done = 0, waits = 0;
    long long end = now_ms() + 10000;
    while ((!ok_done || !bad_done) && now_ms() < end) {
        sptcp_event ev[4];
        size_t n = 0;
        CHECK_EQ(sptcp_group_wait(g, 5000, ev, 4, &n), SPTCP_OK);
        waits++;
        for (size_t i = 0; i < n; i++) {
            sptcp_peer *q = ev[i].user_data;
            sptcp_error e = sptcp_poll(q);
            if (q == ok && sptcp_get_status(ok) == SPTCP_STATUS_CONNECTED) {
                /* Connected: always writable, so stop asking for that. */
                CHECK_EQ(sptcp_group_set_interest(g, ok, SPTCP_EVENT_READABLE), SPTCP_OK);
                ok_done = 1;
            }
            if (q == bad && sptcp_get_status(bad) == SPTCP_STATUS_ERROR) {
                CHECK_EQ(e, SPTCP_ERR_CANT_RESOLVE);
                bad_done = 1;
            }
        }
    }
    CHECK(ok_done);
    CHECK(bad_done);
    printf("connect: a group saw both async connects end in %d waits\n", waits);
    CHECK(waits < 50);
    /* Connected and idle (nothing to read, writable): a READABLE-only
     * interest reports nothing now; the connection that won is watched
     * from now on: a byte from the far side wakes the group. */
    CHECK_EQ(sptcp_group_set_interest(g, ok, SPTCP_EVENT_READABLE), SPTCP_OK);
    CHECK_EQ(sptcp_group_remove_peer(g, bad), SPTCP_OK);
    sptcp_event ev[4];
    size_t n = 9;
    CHECK_EQ(sptcp_group_wait(g, 30, ev, 4, &n), SPTCP_OK);
    CHECK_EQ(n, 0u);
    sptcp_peer *far = take_within(s, 5000);
    NEED(far != NULL);
    CHECK_EQ(sptcp_put_u8(far, 42), SPTCP_OK);
    n = 0;
    CHECK_EQ(sptcp_group_wait(g, 5000, ev, 4, &n), SPTCP_OK);
    CHECK_EQ(n, 1u);
    CHECK(n == 1 && ev[0].user_data == ok && (ev[0].events & SPTCP_EVENT_READABLE));
    uint8_t byte = 0;
    CHECK_EQ(sptcp_get_u8(ok, &byte), SPTCP_OK);
    CHECK_EQ(byte, 42);
    sptcp_peer_free(far);
    sptcp_group_free(g);
    sptcp_peer_free(ok);
    sptcp_peer_free(bad);
    sptcp_server_free(s);
}

#if LINUX_CHECKS
static int sockopt(sptcp_peer *p, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    if (getsockopt((int)sptcp_get_socket(p), level, name, &v, &len) != 0) {
        return -2;
    }
    return v;
}

static void keepalive_options(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    NEED(port > 0);
    sptcp_peer *c = sptcp_peer_new();
    /* Remembered before any socket, applied to the connect's socket. */
    CHECK_EQ(sptcp_set_keepalive(c, true, 7, 3, 4), SPTCP_OK);
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(sockopt(c, SOL_SOCKET, SO_KEEPALIVE), 1);
    CHECK_EQ(sockopt(c, IPPROTO_TCP, TCP_KEEPIDLE), 7);
    CHECK_EQ(sockopt(c, IPPROTO_TCP, TCP_KEEPINTVL), 3);
    CHECK_EQ(sockopt(c, IPPROTO_TCP, TCP_KEEPCNT), 4);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
    /* Changed on the live connection; 0 keeps a number as it was. */
    CHECK_EQ(sptcp_set_keepalive(c, true, 9, 0, 0), SPTCP_OK);
    CHECK_EQ(sockopt(c, IPPROTO_TCP, TCP_KEEPIDLE), 9);
    CHECK_EQ(sockopt(c, IPPROTO_TCP, TCP_KEEPINTVL), 3);
    sptcp_peer *a = take_within(s, 5000);
    NEED(a != NULL);
    CHECK_EQ(sockopt(a, SOL_SOCKET, SO_KEEPALIVE), 0);
    CHECK_EQ(sptcp_set_keepalive(a, true, 5, 2, 2), SPTCP_OK);
    CHECK_EQ(sockopt(a, SOL_SOCKET, SO_KEEPALIVE), 1);
    CHECK_EQ(sockopt(a, IPPROTO_TCP, TCP_KEEPCNT), 2);
    CHECK_EQ(sptcp_set_keepalive(a, false, 0, 0, 0), SPTCP_OK);
    CHECK_EQ(sockopt(a, SOL_SOCKET, SO_KEEPALIVE), 0);
    /* Across a reconnect, and through an async connect's attempts. */
    sptcp_disconnect_from_host(c);
    sptcp_set_async_connect(c, true);
    CHECK_EQ(sptcp_connect_to_host(c, "localhost", port), SPTCP_OK);
    CHECK_EQ(poll_out_of_connecting(c), SPTCP_OK);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(sockopt(c, SOL_SOCKET, SO_KEEPALIVE), 1);
    CHECK_EQ(sockopt(c, IPPROTO_TCP, TCP_KEEPIDLE), 9);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}
#else
static void keepalive_options(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    NEED(port > 0);
    sptcp_peer *c = sptcp_peer_new();
    CHECK_EQ(sptcp_set_keepalive(c, true, 7, 3, 4), SPTCP_OK);
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(sptcp_set_keepalive(c, false, 0, 0, 0), SPTCP_OK);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}
#endif

static void half_close_both_ways(void) {
    sptcp_server *s = sptcp_server_new();
    NEED(start_server(s, "127.0.0.1") > 0);
    sptcp_peer *c, *a;
    NEED(connect_pair(s, &c, &a) == 0);
    /* The client sends a request and half-closes. */
    CHECK_EQ(sptcp_put_utf8_string(c, "request"), SPTCP_OK);
    CHECK_EQ(sptcp_shutdown_write(c), SPTCP_OK);
    CHECK_EQ(sptcp_shutdown_write(c), SPTCP_OK);
    CHECK_EQ(sptcp_put_u8(c, 1), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTED);
    /* The server sees the close with the request unread (Linux: the FIN
     * shows before the bytes are read), reads it, and answers before
     * polling again. */
    if (LINUX_CHECKS) {
        long long end = now_ms() + 5000;
        while (!sptcp_is_peer_closed(a) && now_ms() < end) {
            sptcp_poll(a);
            sleep_ms(1);
        }
        CHECK(sptcp_is_peer_closed(a));
    }
    CHECK_EQ(sptcp_get_status(a), SPTCP_STATUS_CONNECTED);
    char *text = NULL;
    size_t len = 0;
    CHECK_EQ(sptcp_get_utf8_string(a, -1, &text, &len), SPTCP_OK);
    CHECK_STR(text, "request");
    sptcp_string_free(text);
    CHECK_EQ(sptcp_put_utf8_string(a, "answer"), SPTCP_OK);
    /* Nothing more comes: a read finds the end of the stream. */
    uint8_t one;
    size_t got = 9;
    CHECK_EQ(sptcp_get_data(a, &one, 1, &got), SPTCP_ERR_FILE_EOF);
    CHECK_EQ(got, 0u);
    CHECK(sptcp_is_peer_closed(a));
    CHECK_EQ(sptcp_get_status(a), SPTCP_STATUS_NONE);
    /* The client still reads the answer, then sees the close. */
    CHECK_EQ(sptcp_get_utf8_string(c, -1, &text, &len), SPTCP_OK);
    CHECK_STR(text, "answer");
    sptcp_string_free(text);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_NONE, 5000), SPTCP_STATUS_NONE);
    CHECK(sptcp_is_peer_closed(c));
    sptcp_disconnect_from_host(c);
    CHECK(!sptcp_is_peer_closed(c));
    sptcp_peer_free(c);
    sptcp_peer_free(a);

    /* The other way round: the accepted side half-closes first. */
    NEED(connect_pair(s, &c, &a) == 0);
    CHECK_EQ(sptcp_put_u32(a, 77), SPTCP_OK);
    CHECK_EQ(sptcp_shutdown_write(a), SPTCP_OK);
    uint32_t v = 0;
    CHECK_EQ(sptcp_get_u32(c, &v), SPTCP_OK);
    CHECK_EQ(v, 77u);
    CHECK_EQ(sptcp_put_u32(c, 78), SPTCP_OK);
    CHECK_EQ(sptcp_get_u32(a, &v), SPTCP_OK);
    CHECK_EQ(v, 78u);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_NONE, 5000), SPTCP_STATUS_NONE);
    CHECK(sptcp_is_peer_closed(c));
    sptcp_peer_free(c);
    sptcp_peer_free(a);
    sptcp_server_free(s);
}

static void counters_are_exact(void) {
    sptcp_server *s = sptcp_server_new();
    NEED(start_server(s, "127.0.0.1") > 0);
    sptcp_peer *c, *a;
    NEED(connect_pair(s, &c, &a) == 0);
    CHECK_EQ(sptcp_get_bytes_sent(c), 0u);
    /* 4 + (4 + 6: "héllo" is 6 UTF-8 bytes) + (4 + 8: an int Variant is a
     * 4-byte type header and a 32-bit value) = 26 bytes. */
    CHECK_EQ(sptcp_put_u32(c, 1), SPTCP_OK);
    CHECK_EQ(sptcp_put_utf8_string(c, "h\xc3\xa9llo"), SPTCP_OK);
    sptcp_variant *seven = sptcp_variant_new_int(7);
    CHECK_EQ(sptcp_put_var(c, seven, false), SPTCP_OK);
    sptcp_variant_free(seven);
    size_t sent = 0;
    CHECK_EQ(sptcp_put_partial_data(c, (const uint8_t *)"xyz", 3, &sent), SPTCP_OK);
    CHECK_EQ(sent, 3u);
    CHECK_EQ(sptcp_get_bytes_sent(c), 29u);
    uint32_t v;
    CHECK_EQ(sptcp_get_u32(a, &v), SPTCP_OK);
    CHECK_EQ(sptcp_get_bytes_received(a), 4u);
    char *text = NULL;
    size_t len = 0;
    CHECK_EQ(sptcp_get_utf8_string(a, -1, &text, &len), SPTCP_OK);
    sptcp_string_free(text);
    sptcp_variant *got = NULL;
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_OK);
    sptcp_variant_free(got);
    uint8_t buf[3];
    size_t n = 0;
    CHECK_EQ(sptcp_get_data(a, buf, 3, &n), SPTCP_OK);
    CHECK_EQ(sptcp_get_bytes_received(a), 29u);
    CHECK_EQ(sptcp_get_bytes_sent(a), 0u);
    CHECK_EQ(sptcp_get_bytes_received(c), 0u);
    /* Kept after the close, reset by the next connect. */
    sptcp_peer_free(a);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_NONE, 5000), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_get_bytes_sent(c), 29u);
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", sptcp_server_get_local_port(s)), SPTCP_OK);
    CHECK_EQ(sptcp_get_bytes_sent(c), 0u);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

static void io_timeouts_keep_the_stream_in_step(void) {
    sptcp_server *s = sptcp_server_new();
    NEED(start_server(s, "127.0.0.1") > 0);
    sptcp_peer *c, *a;
    NEED(connect_pair(s, &c, &a) == 0);
    sptcp_set_io_timeout_ms(c, 100);
    /* A silent peer: the read ends, the connection stays. */
    uint32_t v = 5;
    long long t = now_ms();
    CHECK_EQ(sptcp_get_u32(c, &v), SPTCP_ERR_TIMEOUT);
    long long took = now_ms() - t;
    CHECK_EQ(v, 0u);
    CHECK(took >= 90 && took < 5000);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTED);
    /* Half a value came: nothing is consumed, the next read gets it whole. */
    CHECK_EQ(sptcp_put_data(a, (const uint8_t *)"\x01\x02", 2), SPTCP_OK);
    CHECK_EQ(sptcp_get_u32(c, &v), SPTCP_ERR_TIMEOUT);
    CHECK_EQ(sptcp_get_available_bytes(c), 2);
    CHECK_EQ(sptcp_get_bytes_received(c), 0u);
    CHECK_EQ(sptcp_put_data(a, (const uint8_t *)"\x03\x04", 2), SPTCP_OK);
    CHECK_EQ(sptcp_get_u32(c, &v), SPTCP_OK);
    CHECK_EQ(v, 0x04030201u);
    /* A string whose prefix came but not all its bytes; then a Variant. */
    CHECK_EQ(sptcp_put_data(a, (const uint8_t *)"\x05\x00\x00\x00hel", 7), SPTCP_OK);
    char *text = NULL;
    size_t len = 0;
    CHECK_EQ(sptcp_get_utf8_string(c, -1, &text, &len), SPTCP_ERR_TIMEOUT);
    CHECK(text == NULL);
    CHECK_EQ(sptcp_put_data(a, (const uint8_t *)"lo", 2), SPTCP_OK);
    CHECK_EQ(sptcp_get_utf8_string(c, -1, &text, &len), SPTCP_OK);
    CHECK_STR(text, "hello");
    sptcp_string_free(text);
    {
        /* The bytes of put_var(int 7), sent in two parts. */
        sptcp_peer *b = sptcp_buffer_new();
        sptcp_variant *seven = sptcp_variant_new_int(7);
        CHECK_EQ(sptcp_put_var(b, seven, false), SPTCP_OK);
        sptcp_variant_free(seven);
        uint8_t bytes[32];
        size_t blen = sptcp_buffer_get_data_array(b, bytes, sizeof bytes);
        NEED(blen == 12);
        CHECK_EQ(sptcp_put_data(a, bytes, 5), SPTCP_OK);
        sptcp_variant *got = NULL;
        CHECK_EQ(sptcp_get_var(c, false, &got), SPTCP_ERR_TIMEOUT);
        CHECK(got == NULL);
        CHECK_EQ(sptcp_put_data(a, bytes + 5, blen - 5), SPTCP_OK);
        CHECK_EQ(sptcp_get_var(c, false, &got), SPTCP_OK);
        int64_t i = 0;
        CHECK_EQ(sptcp_variant_get_int(got, &i), SPTCP_OK);
        CHECK_EQ(i, 7);
        sptcp_variant_free(got);
        sptcp_peer_free(b);
    }
    /* Raw get_data reports what it took. */
    CHECK_EQ(sptcp_put_data(a, (const uint8_t *)"abc", 3), SPTCP_OK);
    uint8_t buf[10];
    size_t got = 0;
    CHECK_EQ(sptcp_get_data(c, buf, 10, &got), SPTCP_ERR_TIMEOUT);
    CHECK_EQ(got, 3u);
    CHECK(memcmp(buf, "abc", 3) == 0);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTED);
    /* A peer that never reads: a large write ends too. */
    size_t big = 64u << 20;
    uint8_t *data = calloc(1, big);
    NEED(data != NULL);
    CHECK_EQ(sptcp_put_data(c, data, big), SPTCP_ERR_TIMEOUT);
    CHECK(strstr(sptcp_last_error_message(), "after sending") != NULL);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTED);
    uint64_t out = sptcp_get_bytes_sent(c);
    CHECK(out > 0 && out < big);
    free(data);
    /* Without the limit, a read waits for what comes. */
    sptcp_set_io_timeout_ms(c, 0);
    CHECK_EQ(sptcp_put_u8(a, 9), SPTCP_OK);
    uint8_t u = 0;
    CHECK_EQ(sptcp_get_u8(c, &u), SPTCP_OK);
    CHECK_EQ(u, 9);
    sptcp_peer_free(c);
    sptcp_peer_free(a);
    sptcp_server_free(s);
}

/* The resolver pool: at most 4 threads however many lookups wait, and
 * none left once idle (they exit after 2 s). */
static int wait_for_threads(int want) {
    long long start = now_ms();
    while (threads_now() > want && now_ms() - start < 10000) {
        sleep_ms(20);
    }
    return threads_now();
}

static void resolver_threads_are_bounded_and_exit(void) {
    /* The earlier lookups' threads go first. */
    int before = 0;
    NEED(wait_for_threads(before) == before);
    enum { N = 32 };
    sptcp_peer *ps[N];
    int most = 0;
    for (int i = 0; i < N; i++) {
        ps[i] = sptcp_peer_new();
        sptcp_set_async_connect(ps[i], true);
        /* Never cached: every one is a lookup of its own. */
        CHECK_EQ(sptcp_connect_to_host(ps[i], "nonexistent.invalid", 80), SPTCP_OK);
        int t = threads_now() - before;
        most = t > most ? t : most;
    }
    for (int i = 0; i < N; i++) {
        CHECK_EQ(poll_out_of_connecting(ps[i]), SPTCP_ERR_CANT_RESOLVE);
    }
    /* Once more with every lookup done: a new thread names itself, so the
     * counts above can miss one that had not yet (seen under ASan, where
     * all 32 came before it did); idle threads live on for 2 s. */
    int t = threads_now() - before;
    most = t > most ? t : most;
    for (int i = 0; i < N; i++) {
        sptcp_peer_free(ps[i]);
    }
    printf("connect: %d lookups at once ran on %d resolver threads\n", N, most);
    CHECK(most >= 1 && most <= 4);
    long long start = now_ms();
    CHECK_EQ(wait_for_threads(before), before);
    printf("connect: idle resolver threads gone after %lld ms\n", now_ms() - start);
}

int main(void) {
    defaults_and_null();
    async_connect_by_name();
    async_names_that_do_not_resolve();
    free_and_disconnect_during_lookups();
    waiting_for_async_connects();
    keepalive_options();
    half_close_both_ways();
    counters_are_exact();
    io_timeouts_keep_the_stream_in_step();
    /* Last: it also leaves no thread behind for valgrind's leak check. */
    if (LINUX_CHECKS) {
        resolver_threads_are_bounded_and_exit();
    }
    return check_summary("test_connect");
}
