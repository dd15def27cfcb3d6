/* Network faults, run by c-tests/faults.sh inside a network namespace that
 * it creates (so fixed ports and firewall rules touch nothing else).
 *
 *   faults blackhole   SYNs to port 7001 are dropped: the connect stays
 *                      CONNECTING and ends in ERROR after its 700 ms timeout
 *   faults refused     port 7002 answers with a reset: ERROR quickly
 *   faults reset       a transfer on port 7003 is cut by resets half way:
 *                      the documented error, no hang
 *   faults lossy       10% of the packets to port 7004 are dropped: 16 MiB
 *                      still arrive intact
 *   faults happy-eyeballs
 *                      dual.test is ::1 then 127.0.0.1 (the namespace's
 *                      hosts file); IPv6 SYNs to port 7006 are dropped: an
 *                      async connect wins on 127.0.0.1 one delay later; a
 *                      sync one ends within its connect timeout
 *   faults slow-dns    the namespace's DNS server (c-tests/slow_dns.py)
 *                      answers after FAULTS_DNS_DELAY_MS: async connects to
 *                      *.slow.test (port 7007) and nosuch.test never block
 *                      poll, free or disconnect
 *   faults keepalive   every packet of port 7008 dropped on an idle
 *                      connection: keepalive (1 s, 1 s, 2 probes) finds the
 *                      dead end in ERROR; keepalive set before connecting
 *                      is on every socket the peer gets */
#include "check.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long connect_and_wait(int port, unsigned timeout_ms, sptcp_error *last, int *connecting_midway) {
    sptcp_peer *p = sptcp_peer_new();
    sptcp_set_connect_timeout_ms(p, timeout_ms);
    long long start = now_ms();
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", port), SPTCP_OK);
    *connecting_midway = -1;
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING && now_ms() - start < 10000) {
        *last = sptcp_poll(p);
        if (*connecting_midway < 0 && now_ms() - start >= timeout_ms / 2) {
            *connecting_midway = sptcp_get_status(p) == SPTCP_STATUS_CONNECTING;
        }
        sleep_ms(2);
    }
    long long elapsed = now_ms() - start;
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_ERROR);
    sptcp_peer_free(p);
    return elapsed;
}

static void blackhole(void) {
    sptcp_error last = SPTCP_OK;
    int midway = -1;
    long long ms = connect_and_wait(7001, 700, &last, &midway);
    printf("faults: blackhole connect ended after %lld ms (timeout 700)\n", ms);
    CHECK_EQ(midway, 1);
    CHECK_EQ(last, SPTCP_ERR_CONNECTION_ERROR);
    CHECK(strstr(sptcp_last_error_message(), "timed out") != NULL);
    CHECK(ms >= 700);
    CHECK(ms < 700 + 500);
}

static void refused(void) {
    sptcp_error last = SPTCP_OK;
    int midway = -1;
    long long ms = connect_and_wait(7002, 5000, &last, &midway);
    printf("faults: refused connect ended after %lld ms\n", ms);
    CHECK_EQ(last, SPTCP_ERR_CONNECTION_ERROR);
    CHECK(ms < 1000);
}

static int pair_on(int port, sptcp_server **s, sptcp_peer **c, sptcp_peer **a) {
    *s = sptcp_server_new();
    if (sptcp_server_listen(*s, port, "127.0.0.1") != SPTCP_OK) {
        return -1;
    }
    return connect_pair(*s, c, a);
}

static void reset_midway(void) {
    sptcp_server *s = NULL;
    sptcp_peer *c = NULL, *a = NULL;
    if (pair_on(7003, &s, &c, &a) != 0) {
        CHECK(!"pair");
        return;
    }
    static uint8_t chunk[64 * 1024];
    size_t sent_total = 0, got_total = 0;
    sptcp_error werr = SPTCP_OK, rerr = SPTCP_OK;
    long long start = now_ms(), cut_at = 0, failed_at = 0;
    while (now_ms() - start < 10000 && (werr == SPTCP_OK || rerr == SPTCP_OK)) {
        size_t sent = 0, got = 0;
        if (werr == SPTCP_OK) {
            werr = sptcp_put_partial_data(c, chunk, sizeof chunk, &sent);
            sent_total += sent;
            if (werr != SPTCP_OK) {
                failed_at = now_ms();
            }
        }
        if (rerr == SPTCP_OK) {
            uint8_t buf[65536];
            rerr = sptcp_get_partial_data(a, buf, sizeof buf, &got);
            got_total += got;
            if (rerr == SPTCP_OK && cut_at && now_ms() - cut_at > 2000) {
                rerr = SPTCP_ERR_TIMEOUT; /* the reader saw nothing more: fine */
            }
        }
        if (!cut_at && sent_total > (1u << 20)) {
            cut_at = now_ms();
            if (system("nft add rule inet sptcp input tcp dport 7003 reject with tcp reset") != 0) {
                CHECK(!"nft add rule");
                break;
            }
        }
        sleep_ms(1);
    }
    long long ms = cut_at && failed_at ? failed_at - cut_at : -1;
    printf("faults: reset after %zu bytes sent; writer got %s %lld ms after the cut\n", sent_total,
           sptcp_error_name(werr), ms);
    CHECK(cut_at != 0);
    CHECK_EQ(werr, SPTCP_FAILED); /* reset while writing: FAILED, status NONE */
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_NONE);
    CHECK(ms >= 0 && ms < 10000);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

static void lossy(void) {
    sptcp_server *s = NULL;
    sptcp_peer *c = NULL, *a = NULL;
    if (pair_on(7004, &s, &c, &a) != 0) {
        CHECK(!"pair");
        return;
    }
    if (system("nft add rule inet sptcp input tcp dport 7004 numgen random mod 100 '<' 10 drop") != 0) {
        CHECK(!"nft add rule");
        return;
    }
    const size_t total = 16u << 20;
    uint8_t *out = malloc(total), *in = malloc(total);
    for (size_t i = 0; i < total; i++) {
        out[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    size_t sent = 0, got = 0;
    long long start = now_ms();
    while ((sent < total || got < total) && now_ms() - start < 60000) {
        size_t n = 0;
        if (sent < total && sptcp_put_partial_data(c, out + sent, total - sent, &n) == SPTCP_OK) {
            sent += n;
        }
        n = 0;
        if (got < total && sptcp_get_partial_data(a, in + got, total - got, &n) == SPTCP_OK) {
            got += n;
        }
        if (n == 0) {
            sleep_ms(1);
        }
    }
    printf("faults: 16 MiB through 10%% loss in %lld ms\n", now_ms() - start);
    CHECK_EQ(got, total);
    CHECK(memcmp(in, out, total) == 0);
    free(in);
    free(out);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

/* ---- shared by the scenarios below ---------------------------------------- */

static const char *status_name(sptcp_status st) {
    switch (st) {
    case SPTCP_STATUS_NONE:
        return "NONE";
    case SPTCP_STATUS_CONNECTING:
        return "CONNECTING";
    case SPTCP_STATUS_CONNECTED:
        return "CONNECTED";
    case SPTCP_STATUS_ERROR:
        return "ERROR";
    }
    return "?";
}

/* Polls `peer` until `n` bytes can be read without waiting, at most
 * `timeout_ms`. */
static int wait_available(sptcp_peer *peer, int n, long timeout_ms) {
    long long end = now_ms() + timeout_ms;
    while (sptcp_get_available_bytes(peer) < n && now_ms() < end) {
        sptcp_poll(peer);
        sleep_ms(1);
    }
    return sptcp_get_available_bytes(peer) >= n;
}

/* A u32 each way between a connected client and the server's side of it. */
static void exchange(sptcp_peer *client, sptcp_peer *accepted) {
    uint32_t got = 0;
    CHECK_EQ(sptcp_put_u32(client, 0xC0FFEE01u), SPTCP_OK);
    int there = wait_available(accepted, 4, 3000);
    CHECK(there);
    if (!there) {
        return; /* a blocking read would wait for ever */
    }
    CHECK_EQ(sptcp_get_u32(accepted, &got), SPTCP_OK);
    CHECK_EQ(got, 0xC0FFEE01u);
    CHECK_EQ(sptcp_put_u32(accepted, 0xBEEF0002u), SPTCP_OK);
    there = wait_available(client, 4, 3000);
    CHECK(there);
    if (there) {
        CHECK_EQ(sptcp_get_u32(client, &got), SPTCP_OK);
        CHECK_EQ(got, 0xBEEF0002u);
    }
}

/* The client is connected to 127.0.0.1:port: the address that won, and
 * data both ways with the connection the server accepted. */
static void check_won_ipv4(sptcp_server *s, sptcp_peer *c, int port) {
    char host[SPTCP_HOST_MAX] = "?";
    sptcp_get_connected_host(c, host, sizeof host);
    CHECK_STR(host, "127.0.0.1");
    CHECK_EQ(sptcp_get_connected_port(c), port);
    sptcp_peer *a = take_within(s, 3000);
    CHECK(a != NULL);
    if (a != NULL) {
        exchange(c, a);
        sptcp_peer_free(a);
    }
}

/* Nothing connected yet: no address to report. */
static void check_no_address(sptcp_peer *p) {
    char host[SPTCP_HOST_MAX] = "?";
    CHECK_EQ(sptcp_get_connected_host(p, host, sizeof host), 0);
    CHECK_STR(host, "");
    CHECK_EQ(sptcp_get_connected_port(p), 0);
}

/* ---- happy-eyeballs ------------------------------------------------------- */

/* A fresh peer connects to dual.test:7006 (::1 blackholed, 127.0.0.1
 * listening); polls every millisecond until it leaves CONNECTING (bounded
 * well past the connect timeout). */
static sptcp_peer *dual_connect(bool async, uint32_t delay_ms, uint32_t timeout_ms, long long *ms,
                                sptcp_error *first_err) {
    sptcp_peer *p = sptcp_peer_new();
    NEED(p != NULL);
    CHECK(!sptcp_is_async_connect_enabled(p)); /* off by default, like Godot */
    sptcp_set_async_connect(p, async);
    CHECK_EQ(sptcp_is_async_connect_enabled(p), async);
    CHECK_EQ(sptcp_get_happy_eyeballs_delay_ms(p), 250);
    if (delay_ms != 250) {
        sptcp_set_happy_eyeballs_delay_ms(p, delay_ms);
        CHECK_EQ(sptcp_get_happy_eyeballs_delay_ms(p), delay_ms);
    }
    sptcp_set_connect_timeout_ms(p, timeout_ms);
    *first_err = SPTCP_OK;
    long long start = now_ms();
    CHECK_EQ(sptcp_connect_to_host(p, "dual.test", 7006), SPTCP_OK);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_CONNECTING);
    if (async) {
        check_no_address(p); /* until an address has won */
    }
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING && now_ms() - start < timeout_ms + 3000) {
        sptcp_error e = sptcp_poll(p);
        if (e != SPTCP_OK && *first_err == SPTCP_OK) {
            *first_err = e;
        }
        if (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING) {
            sleep_ms(1);
        }
    }
    *ms = now_ms() - start;
    return p;
}

static void happy_eyeballs(void) {
    sptcp_server *s = sptcp_server_new();
    NEED(s != NULL && sptcp_server_listen(s, 7006, "127.0.0.1") == SPTCP_OK);
    static const uint32_t delays[] = {250, 50};
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        uint32_t delay = delays[i];
        long long ms = 0;
        sptcp_error err = SPTCP_OK;
        sptcp_peer *p = dual_connect(true, delay, 5000, &ms, &err);
        sptcp_status st = sptcp_get_status(p);
        printf("faults: happy eyeballs connected after %lld ms (delay %u)\n", ms, (unsigned)delay);
        CHECK_STR(status_name(st), "CONNECTED");
        CHECK_EQ(err, SPTCP_OK);
        CHECK(ms >= (long long)delay); /* ::1 first, 127.0.0.1 one delay later */
        CHECK(ms < (long long)delay + 400);
        if (st == SPTCP_STATUS_CONNECTED) {
            check_won_ipv4(s, p, 7006);
        }
        sptcp_peer_free(p);
    }

    /* Without async connect addresses are tried one after the other: the
     * blackholed ::1 may use up the whole connect timeout, but never more. */
    long long ms = 0;
    sptcp_error err = SPTCP_OK;
    sptcp_peer *p = dual_connect(false, 250, 1500, &ms, &err);
    sptcp_status st = sptcp_get_status(p);
    printf("faults: happy eyeballs without async connect: %s after %lld ms, poll gave %s "
           "(connect timeout 1500)\n",
           status_name(st), ms, sptcp_error_name(err));
    CHECK(st == SPTCP_STATUS_ERROR || st == SPTCP_STATUS_CONNECTED);
    CHECK(ms < 1500 + 500);
    if (st == SPTCP_STATUS_CONNECTED) {
        check_won_ipv4(s, p, 7006);
    } else if (st == SPTCP_STATUS_ERROR) {
        CHECK_EQ(err, SPTCP_ERR_CONNECTION_ERROR);
        CHECK(ms >= 1500);
    }
    sptcp_peer_free(p);
    sptcp_server_free(s);

    /* In a poll group: its timer wakes the wait when the second attempt is
     * due (the blackholed attempt's socket never becomes ready). */
    s = sptcp_server_new();
    NEED(s != NULL && sptcp_server_listen(s, 7006, "127.0.0.1") == SPTCP_OK);
    sptcp_group *g = sptcp_group_new();
    p = sptcp_peer_new();
    sptcp_set_async_connect(p, true);
    CHECK_EQ(sptcp_group_add_peer(g, p, SPTCP_EVENT_WRITABLE, p), SPTCP_OK);
    long long start = now_ms();
    CHECK_EQ(sptcp_connect_to_host(p, "dual.test", 7006), SPTCP_OK);
    int waits = 0;
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING && waits < 100) {
        sptcp_event ev[2];
        size_t n = 0;
        CHECK_EQ(sptcp_group_wait(g, 5000, ev, 2, &n), SPTCP_OK);
        waits++;
        if (n > 0) {
            sptcp_poll(p);
        }
    }
    ms = now_ms() - start;
    st = sptcp_get_status(p);
    printf("faults: happy eyeballs in a poll group: %s after %lld ms and %d waits\n", status_name(st), ms,
           waits);
    CHECK_STR(status_name(st), "CONNECTED");
    CHECK(ms >= 250 && ms < 250 + 400);
    CHECK(waits < 20);
    if (st == SPTCP_STATUS_CONNECTED) {
        check_won_ipv4(s, p, 7006);
    }
    sptcp_group_free(g);
    sptcp_peer_free(p);
    sptcp_server_free(s);

    /* ::1 port 7009 answers with a reset: both ways move on to 127.0.0.1 at
     * once (no attempt delay, no timeout), the blocking way too. */
    s = sptcp_server_new();
    NEED(s != NULL && sptcp_server_listen(s, 7009, "127.0.0.1") == SPTCP_OK);
    for (int async = 0; async <= 1; async++) {
        p = sptcp_peer_new();
        sptcp_set_async_connect(p, async);
        sptcp_set_connect_timeout_ms(p, 5000);
        start = now_ms();
        CHECK_EQ(sptcp_connect_to_host(p, "dual.test", 7009), SPTCP_OK);
        st = poll_until(p, SPTCP_STATUS_CONNECTED, 6000);
        ms = now_ms() - start;
        printf("faults: %s connect to dual.test with ::1 refused: %s after %lld ms\n",
               async ? "async" : "blocking", status_name(st), ms);
        CHECK_STR(status_name(st), "CONNECTED");
        CHECK(ms < 250);
        if (st == SPTCP_STATUS_CONNECTED) {
            check_won_ipv4(s, p, 7009);
        }
        sptcp_peer_free(p);
    }
    sptcp_server_free(s);
}

/* ---- slow-dns ------------------------------------------------------------- */

static long long dns_delay_ms(void) {
    const char *e = getenv("FAULTS_DNS_DELAY_MS");
    return e && *e ? atoll(e) : 1200;
}

struct timed {
    long long connect_us, max_poll_us, max_status_us, ms;
    sptcp_error first_err;
};

/* An async connect to host:7007, polled every millisecond while
 * CONNECTING (8 s at most), timing connect_to_host and every single poll
 * and get_status. */
static sptcp_status timed_connect(sptcp_peer *p, const char *host, struct timed *t) {
    memset(t, 0, sizeof *t);
    long long start = now_us();
    sptcp_error e = sptcp_connect_to_host(p, host, 7007);
    t->connect_us = now_us() - start;
    CHECK_EQ(e, SPTCP_OK);
    sptcp_status st = sptcp_get_status(p);
    CHECK_STR(status_name(st), "CONNECTING");
    while (st == SPTCP_STATUS_CONNECTING && now_us() - start < 8000000) {
        long long t0 = now_us();
        e = sptcp_poll(p);
        long long t1 = now_us();
        st = sptcp_get_status(p);
        long long t2 = now_us();
        if (t1 - t0 > t->max_poll_us) {
            t->max_poll_us = t1 - t0;
        }
        if (t2 - t1 > t->max_status_us) {
            t->max_status_us = t2 - t1;
        }
        if (e != SPTCP_OK && t->first_err == SPTCP_OK) {
            t->first_err = e;
        }
        if (st == SPTCP_STATUS_CONNECTING) {
            sleep_ms(1);
        }
    }
    t->ms = (now_us() - start) / 1000;
    return st;
}

static sptcp_peer *async_peer(void) {
    sptcp_peer *p = sptcp_peer_new();
    NEED(p != NULL);
    sptcp_set_async_connect(p, true);
    sptcp_set_connect_timeout_ms(p, 5000);
    return p;
}

/* Starts an async lookup of `host` and lets it run for 200 ms. */
static sptcp_peer *lookup_running(const char *host) {
    sptcp_peer *p = async_peer();
    CHECK_EQ(sptcp_connect_to_host(p, host, 7007), SPTCP_OK);
    for (int i = 0; i < 20; i++) {
        sptcp_poll(p);
        sleep_ms(10);
    }
    CHECK_STR(status_name(sptcp_get_status(p)), "CONNECTING");
    return p;
}

static void slow_dns(void) {
    const long long delay = dns_delay_ms();
    /* A call that waited for the lookup would take about `delay`; one that
     * did not takes well under a millisecond. A tenth of the delay tells
     * the two apart even when the VM stalls a call for a few ms (a poll of
     * 6.4 ms was seen once on a slow VM, against a bound of 5 ms). */
    const long long no_wait_us = delay * 100;
    sptcp_server *s = sptcp_server_new();
    NEED(s != NULL && sptcp_server_listen(s, 7007, "127.0.0.1") == SPTCP_OK);
    struct timed t;

    /* A slow name that resolves. */
    sptcp_peer *p = async_peer();
    sptcp_status st = timed_connect(p, "slow.test", &t);
    printf("faults: slow dns (%lld ms): slow.test %s after %lld ms; longest poll %.3f ms, "
           "get_status %.3f ms, connect_to_host %.3f ms\n",
           delay, status_name(st), t.ms, t.max_poll_us / 1000.0, t.max_status_us / 1000.0,
           t.connect_us / 1000.0);
    CHECK_STR(status_name(st), "CONNECTED");
    CHECK_EQ(t.first_err, SPTCP_OK);
    CHECK(t.ms >= delay); /* the lookup really was slow, and yet nothing waited for it */
    CHECK(t.connect_us < no_wait_us);
    CHECK(t.max_poll_us < no_wait_us);
    CHECK(t.max_status_us < no_wait_us);
    if (st == SPTCP_STATUS_CONNECTED) {
        check_won_ipv4(s, p, 7007);
    }
    sptcp_peer_free(p);

    /* A slow name that does not exist. */
    p = async_peer();
    st = timed_connect(p, "nosuch.test", &t);
    printf("faults: slow dns (%lld ms): nosuch.test %s after %lld ms, poll gave %s; longest poll "
           "%.3f ms, get_status %.3f ms, connect_to_host %.3f ms\n",
           delay, status_name(st), t.ms, sptcp_error_name(t.first_err), t.max_poll_us / 1000.0,
           t.max_status_us / 1000.0, t.connect_us / 1000.0);
    CHECK_STR(status_name(st), "ERROR");
    CHECK_STR(sptcp_error_name(t.first_err), "ERR_CANT_RESOLVE");
    CHECK(t.ms >= delay);
    CHECK(t.connect_us < no_wait_us);
    CHECK(t.max_poll_us < no_wait_us);
    CHECK(t.max_status_us < no_wait_us);
    sptcp_peer_free(p);

    /* Freed while its lookup runs (every slow lookup has a name of its own:
     * successful lookups are cached). The lookup ends later, with the
     * process still here, and must connect nothing. */
    p = lookup_running("free.slow.test");
    long long t0 = now_us();
    sptcp_peer_free(p);
    long long free_us = now_us() - t0;
    sleep_ms(delay + 500);
    printf("faults: slow dns: sptcp_peer_free during the lookup took %.3f ms\n", free_us / 1000.0);
    CHECK(free_us < no_wait_us);
    CHECK(!sptcp_server_is_connection_available(s));

    /* Disconnected while its lookup runs, then connected again at once: the
     * new lookup's answer counts, not the old one's (which comes first). */
    p = lookup_running("disc.slow.test");
    t0 = now_us();
    sptcp_disconnect_from_host(p);
    long long disc_us = now_us() - t0;
    CHECK_STR(status_name(sptcp_get_status(p)), "NONE");
    check_no_address(p);
    CHECK_EQ(sptcp_poll(p), SPTCP_OK);
    CHECK_STR(status_name(sptcp_get_status(p)), "NONE");
    st = timed_connect(p, "again.slow.test", &t);
    printf("faults: slow dns: disconnect during the lookup took %.3f ms; connecting again: %s "
           "after %lld ms, longest poll %.3f ms\n",
           disc_us / 1000.0, status_name(st), t.ms, t.max_poll_us / 1000.0);
    CHECK(disc_us < no_wait_us);
    CHECK_STR(status_name(st), "CONNECTED");
    CHECK(t.ms >= delay);
    CHECK(t.max_poll_us < no_wait_us);
    if (st == SPTCP_STATUS_CONNECTED) {
        check_won_ipv4(s, p, 7007);
    }
    sleep_ms(300);
    CHECK(!sptcp_server_is_connection_available(s)); /* nothing from disc.slow.test */
    sptcp_peer_free(p);
    sptcp_server_free(s);
}

/* ---- keepalive ------------------------------------------------------------ */

static int sockopt_int(int64_t fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    if (getsockopt((int)fd, level, name, &v, &len) != 0) {
        return -1;
    }
    return v;
}

static int sysctl_int(const char *path) {
    FILE *f = fopen(path, "r");
    int v = -1;
    if (f != NULL) {
        if (fscanf(f, "%d", &v) != 1) {
            v = -1;
        }
        fclose(f);
    }
    return v;
}

/* The keepalive options on the peer's socket now. */
static void check_keepalive(sptcp_peer *p, int on, int idle, int interval, int count, const char *when) {
    int64_t fd = sptcp_get_socket(p);
    int got[4] = {-1, -1, -1, -1};
    if (fd >= 0) {
        got[0] = sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE) != 0;
        got[1] = sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE);
        got[2] = sockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL);
        got[3] = sockopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT);
    }
    int ok = fd >= 0 && got[0] == on && (!on || (got[1] == idle && got[2] == interval && got[3] == count));
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "    %s: fd %lld, SO_KEEPALIVE %d, TCP_KEEPIDLE %d, TCP_KEEPINTVL %d, "
                        "TCP_KEEPCNT %d (want %d %d %d %d)\n",
                when, (long long)fd, got[0], got[1], got[2], got[3], on, idle, interval, count);
    }
}

static void connect_7008(sptcp_server *s, sptcp_peer *p) {
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", 7008), SPTCP_OK);
    CHECK_STR(status_name(poll_until(p, SPTCP_STATUS_CONNECTED, 3000)), "CONNECTED");
    sptcp_peer *a = take_within(s, 3000);
    CHECK(a != NULL);
    sptcp_peer_free(a);
}

static int nft(const char *cmd) {
    int rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "faults: `%s` failed (%d)\n", cmd, rc);
    }
    return rc == 0;
}

static void keepalive(void) {
    sptcp_server *s = sptcp_server_new();
    NEED(s != NULL && sptcp_server_listen(s, 7008, "127.0.0.1") == SPTCP_OK);

    /* Set before connecting: on every socket the peer gets. */
    sptcp_peer *q = sptcp_peer_new();
    NEED(q != NULL);
    CHECK_EQ(sptcp_set_keepalive(q, true, 7, 3, 4), SPTCP_OK);
    CHECK_EQ(sptcp_get_socket(q), -1);
    CHECK_EQ(sptcp_connect_to_host(q, "127.0.0.1", 7008), SPTCP_OK);
    if (sptcp_get_socket(q) >= 0) {
        check_keepalive(q, 1, 7, 3, 4, "right after connect_to_host");
    }
    CHECK_STR(status_name(poll_until(q, SPTCP_STATUS_CONNECTED, 3000)), "CONNECTED");
    check_keepalive(q, 1, 7, 3, 4, "connected");
    sptcp_peer_free(take_within(s, 3000));
    sptcp_disconnect_from_host(q);
    CHECK_EQ(sptcp_get_socket(q), -1);
    connect_7008(s, q);
    check_keepalive(q, 1, 7, 3, 4, "connected again");
    /* Off on the socket it has now; 0 = the OS default on the next one. */
    CHECK_EQ(sptcp_set_keepalive(q, false, 0, 0, 0), SPTCP_OK);
    check_keepalive(q, 0, 0, 0, 0, "turned off while connected");
    CHECK_EQ(sptcp_set_keepalive(q, true, 0, 0, 0), SPTCP_OK);
    sptcp_disconnect_from_host(q);
    connect_7008(s, q);
    int idle = sysctl_int("/proc/sys/net/ipv4/tcp_keepalive_time");
    int interval = sysctl_int("/proc/sys/net/ipv4/tcp_keepalive_intvl");
    int count = sysctl_int("/proc/sys/net/ipv4/tcp_keepalive_probes");
    check_keepalive(q, 1, idle, interval, count, "0 = the OS defaults");
    printf("faults: keepalive (7 s, 3 s, 4) set before connecting is on the socket of a connect and "
           "a reconnect; with 0s the next socket has the OS's %d s, %d s, %d\n",
           idle, interval, count);
    sptcp_peer_free(q);

    /* An idle connection whose packets all vanish. */
    sptcp_peer *c = NULL, *a = NULL;
    NEED(connect_pair(s, &c, &a) == 0);
    exchange(c, a);
    CHECK_EQ(sptcp_set_keepalive(c, true, 1, 1, 2), SPTCP_OK);
    check_keepalive(c, 1, 1, 1, 2, "set while connected");
    NEED(nft("nft add chain inet sptcp keepalive '{ type filter hook input priority 0 ; }'"));
    int cut = nft("nft add rule inet sptcp keepalive tcp dport 7008 drop") &&
              nft("nft add rule inet sptcp keepalive tcp sport 7008 drop");
    CHECK(cut);
    long long start = now_ms();
    sptcp_error first_err = SPTCP_OK;
    sptcp_status st = sptcp_get_status(c);
    char message[256] = "";
    while (cut && st == SPTCP_STATUS_CONNECTED && now_ms() - start < 10000) {
        sptcp_error e = sptcp_poll(c);
        if (e != SPTCP_OK && first_err == SPTCP_OK) {
            first_err = e;
            snprintf(message, sizeof message, "%s", sptcp_last_error_message());
        }
        st = sptcp_get_status(c);
        if (st == SPTCP_STATUS_CONNECTED) {
            sleep_ms(10);
        }
    }
    long long ms = now_ms() - start;
    printf("faults: keepalive (idle 1 s, interval 1 s, 2 probes) found the dead end: %s after "
           "%lld ms, poll gave %s (%s)\n",
           status_name(st), ms, sptcp_error_name(first_err), message);
    CHECK_STR(status_name(st), "ERROR");
    CHECK_EQ(first_err, SPTCP_FAILED);
    CHECK(ms >= 1000);
    CHECK(ms < (1 + 1 * 2 + 3) * 1000);
    nft("nft flush chain inet sptcp keepalive && nft delete chain inet sptcp keepalive");
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IOLBF, 0); /* a scenario killed by its timeout still shows its lines */
    if (strcmp(what, "blackhole") == 0) {
        blackhole();
    } else if (strcmp(what, "refused") == 0) {
        refused();
    } else if (strcmp(what, "reset") == 0) {
        reset_midway();
    } else if (strcmp(what, "lossy") == 0) {
        lossy();
    } else if (strcmp(what, "happy-eyeballs") == 0) {
        happy_eyeballs();
    } else if (strcmp(what, "slow-dns") == 0) {
        slow_dns();
    } else if (strcmp(what, "keepalive") == 0) {
        keepalive();
    } else {
        fprintf(stderr, "usage: faults blackhole|refused|reset|lossy|happy-eyeballs|slow-dns|keepalive\n");
        return 2;
    }
    char name[64];
    snprintf(name, sizeof name, "faults-%s", what);
    return check_summary(name);
}
