/* Benchmarks: streampeer_tcp against raw blocking sockets, libuv and
 * SDL2_net, over loopback TCP, and against raw AF_UNIX sockets over Unix
 * domain sockets. One figure, and one implementation or raw C and the library
 * side by side, per run:
 *
 *   bench bulk        raw|sptcp|raw+sptcp|libuv|sdl2net  [MiB]   throughput
 *   bench pingpong    raw|sptcp|raw+sptcp|libuv|sdl2net  [round trips] latency
 *   bench udsbulk     raw|sptcp|raw+sptcp      [MiB]        throughput (UDS)
 *   bench udspingpong raw|sptcp|raw+sptcp      [round trips] latency (UDS)
 *   bench churn    raw|sptcp|raw+sptcp      [cycles]     connections/s
 *   bench idle     sptcp                    N            poll pass, latency, memory
 *   bench groupwait sptcp                   N            group wait vs epoll_wait, memory
 *   bench groupecho sptcp|raw|libuv         N [rounds]   echo server, N conns, 1 % active
 *   bench var      sptcp                    [round trips] put_var/get_var, and the
 *                                                        u32 round trip in the same run
 *   bench pyserver                                       the C far end of py_bench.py
 *   bench tlsbulk  sptcp|openssl|plain      [MiB]        TLS throughput (plain: the
 *                                                        library without TLS, same sizes)
 *   bench tlshs    sptcp|openssl|plain      [cycles [ec|rsa]] TLS connections/s (plain:
 *                                                        the library's TCP churn)
 *   bench tlsinfo  sptcp                                 what the library's client
 *                                                        negotiates with OpenSSL's server
 *
 * The TLS figures read ca.pem, server-ec.pem/.key (P-256) and server.pem/.key
 * (RSA-2048) from $SPTCP_BENCH_CERTS (made by c-tests/tls_certs.sh); without
 * it they print SKIPPED, and so do the openssl ones when bench/tls_openssl.c
 * was not built in (no libssl-dev).
 *
 * "raw+sptcp" measures raw C and the library in one process, in
 * alternating segments (see pingpong_side), and adds the ratio lines
 * "RESULT <figure> ratio <metric> <library / raw C> x" from that process;
 * the amount is per implementation.
 *
 * Prints lines "RESULT <figure> <impl> <metric> <value> <unit>" for
 * bench/run.py, which runs the implementations side by side, repeats them,
 * and writes the tables and plots. Loopback only.
 *
 * The UDS figures put their socket in a fresh directory made with mkdtemp
 * under $SPTCP_BENCH_TMPDIR (bench/run.py sets it to its own temporary
 * directory), else /tmp; the socket and the directory are removed when the
 * run ends, also after a failure (exit) or SIGINT / SIGTERM. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "streampeer_tcp.h"

#ifdef HAVE_LIBUV
#include <uv.h>
#endif
#ifdef HAVE_SDL2NET
#include <SDL.h>
#include <SDL_net.h>
#endif

#define CHUNK (64 * 1024)
#define PATH_MAX_UDS 80 /* the directory; its socket path must fit sun_path (108) */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "bench: %s: %s (%s)\n", what, strerror(errno), sptcp_last_error_message());
    exit(1);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* The median of the per-segment ratios r[0..n) (sorted in place; for an
 * even n the mean of the middle two). */
static double ratio_median(double *r, size_t n) {
    qsort(r, n, sizeof *r, cmp_double);
    return n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

struct latency {
    double median, p99; /* seconds */
};

/* The median and p99 of v[0..n), which stays as it is. */
static struct latency latency_of(const double *v, size_t n) {
    double *c = malloc(n * sizeof *c);
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    struct latency l = {c[n / 2], c[(size_t)((double)n * 0.99)]};
    free(c);
    return l;
}

static struct latency report_latency(const char *figure, const char *impl, double *rtt, size_t n) {
    qsort(rtt, n, sizeof *rtt, cmp_double);
    struct latency l = {rtt[n / 2], rtt[(size_t)((double)n * 0.99)]};
    printf("RESULT %s %s median_us %.3f us\n", figure, impl, l.median * 1e6);
    printf("RESULT %s %s p99_us %.3f us\n", figure, impl, l.p99 * 1e6);
    return l;
}

/* ---- raw blocking sockets ----------------------------------------------- */

/* A loopback listener on an ephemeral port, and a blocking connect to it;
 * also used by the OpenSSL peers (tls_openssl.c). */
int raw_listener(int *port);
int raw_connect(int port);

int raw_listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 128) || getsockname(fd, (struct sockaddr *)&a, &len)) {
        die("raw listener");
    }
    *port = ntohs(a.sin_port);
    return fd;
}

int raw_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        die("raw connect");
    }
    return fd;
}

static void raw_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int raw_send_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k <= 0) {
            if (k < 0 && errno == EINTR) continue;
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static int raw_recv_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n) {
        ssize_t k = recv(fd, c, n, 0);
        if (k <= 0) {
            if (k < 0 && errno == EINTR) continue;
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ---- Unix domain sockets: where the socket lives ------------------------ */

static char uds_dir[PATH_MAX_UDS];
static char uds_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void uds_cleanup(void) {
    if (uds_path[0]) unlink(uds_path); /* left when a run fails; a freed sptcp server removes its own */
    if (uds_dir[0]) rmdir(uds_dir);
    uds_path[0] = uds_dir[0] = 0;
}

static void uds_on_signal(int sig) {
    uds_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Makes the directory and the socket's path (not the socket itself). */
static void uds_make_path(void) {
    const char *base = getenv("SPTCP_BENCH_TMPDIR");
    if (!base || !*base) base = "/tmp";
    int n = snprintf(uds_dir, sizeof uds_dir, "%s/sptcp-bench-XXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof uds_dir) {
        uds_dir[0] = 0;
        errno = ENAMETOOLONG;
        die("SPTCP_BENCH_TMPDIR");
    }
    if (!mkdtemp(uds_dir)) {
        uds_dir[0] = 0;
        die("mkdtemp");
    }
    atexit(uds_cleanup);
    signal(SIGINT, uds_on_signal);
    signal(SIGTERM, uds_on_signal);
    n = snprintf(uds_path, sizeof uds_path, "%s/s", uds_dir);
    if (n < 0 || (size_t)n >= sizeof uds_path) {
        uds_path[0] = 0;
        errno = ENAMETOOLONG;
        die("socket path");
    }
}

static struct sockaddr_un uds_addr(void) {
    struct sockaddr_un a = {0};
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, uds_path, strlen(uds_path) + 1);
    return a;
}

static int raw_uds_listener(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = uds_addr();
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 128)) die("raw uds listener");
    return fd;
}

static int raw_uds_connect(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = uds_addr();
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) die("raw uds connect");
    return fd;
}

/* ---- the pair of endpoints every figure uses -------------------------- */

struct pair {
    const char *impl;
    int uds; /* Unix domain socket instead of loopback TCP */
    int raw_client, raw_server;  /* raw */
    sptcp_peer *client, *server; /* sptcp */
    sptcp_server *listener;
};

static sptcp_peer *sptcp_take(sptcp_server *s) {
    for (;;) {
        sptcp_peer *p = sptcp_server_take_connection(s);
        if (p) return p;
        usleep(50);
    }
}

/* The same as below over a Unix domain socket (no Nagle to turn off). */
static void open_uds_pair(struct pair *p) {
    if (!uds_dir[0]) uds_make_path();
    if (strcmp(p->impl, "raw") == 0) {
        int l = raw_uds_listener();
        p->raw_client = raw_uds_connect();
        p->raw_server = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (p->raw_server < 0) die("raw uds accept");
        close(l);
        unlink(uds_path);
        return;
    }
    p->listener = sptcp_uds_server_new();
    if (sptcp_uds_server_listen(p->listener, uds_path) != SPTCP_OK) die("uds listen");
    p->client = sptcp_uds_new();
    if (sptcp_uds_connect_to_host(p->client, uds_path) != SPTCP_OK) die("uds connect");
    p->server = sptcp_take(p->listener);
    while (sptcp_get_status(p->client) == SPTCP_STATUS_CONNECTING) {
        sptcp_poll(p->client);
    }
    if (sptcp_get_status(p->client) != SPTCP_STATUS_CONNECTED) die("uds connect");
}

static void open_pair(struct pair *p, int nodelay) {
    if (p->uds) {
        open_uds_pair(p);
        return;
    }
    if (strcmp(p->impl, "raw") == 0) {
        int port;
        int l = raw_listener(&port);
        p->raw_client = raw_connect(port);
        p->raw_server = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        close(l);
        if (nodelay) {
            raw_nodelay(p->raw_client);
            raw_nodelay(p->raw_server);
        }
        return;
    }
    p->listener = sptcp_server_new();
    if (sptcp_server_listen(p->listener, 0, "127.0.0.1") != SPTCP_OK) die("listen");
    p->client = sptcp_peer_new();
    if (sptcp_connect_to_host(p->client, "127.0.0.1", sptcp_server_get_local_port(p->listener)) != SPTCP_OK) die("connect");
    p->server = sptcp_take(p->listener);
    while (sptcp_get_status(p->client) == SPTCP_STATUS_CONNECTING) {
        sptcp_poll(p->client);
    }
    if (nodelay) {
        sptcp_set_no_delay(p->client, true);
        sptcp_set_no_delay(p->server, true);
    }
}

static void close_pair(struct pair *p) {
    if (p->raw_client) {
        close(p->raw_client);
        close(p->raw_server);
    }
    sptcp_peer_free(p->client);
    sptcp_peer_free(p->server);
    sptcp_server_free(p->listener);
}

/* ---- bulk ---------------------------------------------------------------- */

struct bulk_job {
    struct pair *pair;
    size_t total;
};

static void *bulk_sender(void *arg) {
    struct bulk_job *j = arg;
    static char chunk[CHUNK];
    for (size_t sent = 0; sent < j->total; sent += CHUNK) {
        int bad = j->pair->client ? sptcp_put_data(j->pair->client, (const uint8_t *)chunk, CHUNK) != SPTCP_OK
                                  : raw_send_all(j->pair->raw_client, chunk, CHUNK) != 0;
        if (bad) die("bulk send");
    }
    return NULL;
}

/* label: the implementation the RESULT line names (impl, or "plain" in tlsbulk). */
static void bulk_blocking_as(const char *figure, const char *label, const char *impl, int uds, size_t total) {
    struct pair p = {impl, uds, 0, 0, NULL, NULL, NULL};
    open_pair(&p, 0);
    struct bulk_job j = {&p, total};
    static char buf[CHUNK];
    pthread_t t;
    double start = now_s();
    pthread_create(&t, NULL, bulk_sender, &j);
    for (size_t got = 0; got < total; got += CHUNK) {
        int bad = p.server ? sptcp_get_data(p.server, (uint8_t *)buf, CHUNK, NULL) != SPTCP_OK
                           : raw_recv_all(p.raw_server, buf, CHUNK) != 0;
        if (bad) die("bulk recv");
    }
    double secs = now_s() - start;
    pthread_join(t, NULL);
    printf("RESULT %s %s throughput %.1f MiB/s\n", figure, label, (double)(total >> 20) / secs);
    close_pair(&p);
}

static void bulk_blocking(const char *figure, const char *impl, int uds, size_t total) {
    bulk_blocking_as(figure, impl, impl, uds, total);
}

/* ---- ping-pong ------------------------------------------------------------ */

struct pp_job {
    struct pair *pair;
    size_t n;
};

static void *pp_echo(void *arg) {
    struct pp_job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        uint32_t v;
        if (j->pair->server) {
            if (sptcp_get_u32(j->pair->server, &v) != SPTCP_OK || sptcp_put_u32(j->pair->server, v) != SPTCP_OK) die("echo");
        } else {
            if (raw_recv_all(j->pair->raw_server, &v, 4) || raw_send_all(j->pair->raw_server, &v, 4)) die("echo");
        }
    }
    return NULL;
}

/* One timed u32 round trip on a pair whose server side runs pp_echo. */
static double pp_once(struct pair *p, uint32_t v) {
    uint32_t back = 0;
    double t0 = now_s();
    if (p->client) {
        if (sptcp_put_u32(p->client, v) != SPTCP_OK || sptcp_get_u32(p->client, &back) != SPTCP_OK) die("ping");
    } else {
        if (raw_send_all(p->raw_client, &v, 4) || raw_recv_all(p->raw_client, &back, 4)) die("ping");
    }
    double rtt = now_s() - t0;
    if (back != v) die("pong mismatch");
    return rtt;
}

static void pingpong_blocking(const char *figure, const char *impl, int uds, size_t n) {
    struct pair p = {impl, uds, 0, 0, NULL, NULL, NULL};
    open_pair(&p, 1);
    struct pp_job j = {&p, n};
    pthread_t t;
    pthread_create(&t, NULL, pp_echo, &j);
    double *rtt = malloc(n * sizeof *rtt);
    for (size_t i = 0; i < n; i++) rtt[i] = pp_once(&p, (uint32_t)i);
    pthread_join(t, NULL);
    report_latency(figure, impl, rtt, n);
    free(rtt);
    close_pair(&p);
}

/* ---- side by side: raw C and the library in one process ------------------
 *
 * "raw+sptcp" for bulk, pingpong, udsbulk, udspingpong and churn: one
 * process opens both pairs (both listeners for churn) once, then measures
 * them in alternating segments, raw C first in the even segments and the
 * library first in the odd ones (raw sptcp sptcp raw raw sptcp ...), so
 * that whatever the machine does meanwhile hurts both alike; the far side
 * of both pairs (echo, sender) is one thread, so that the scheduler treats
 * both alike too. Each
 * implementation's RESULT lines are the usual ones, pooled over its
 * segments (latency: the median and p99 of all its round trips;
 * throughput and rate: the amount over the time summed over its
 * segments), and the process adds "RESULT <figure> ratio <metric> <x> x",
 * the library / raw C from this one process: the median over the units of
 * the ratio within each unit, a unit being two segments in a row (one
 * where raw C goes first, one where the library does: whoever goes first
 * is favoured or hurt alike), the ratio the library's median, p99,
 * throughput or rate over raw C's in the same unit. Paired so, a change
 * of the machine's state between units (on a small VM the loopback round
 * trip can jump between two levels, as the two threads land on one CPU or
 * on two) does not show up as a difference between the implementations,
 * as it can in the ratio of the pooled figures. */

#ifndef SIDE_SEGMENTS
#define SIDE_SEGMENTS 50 /* ping-pong and var: segments per run */
#endif
#ifndef SIDE_BULK_SEGMENT
#define SIDE_BULK_SEGMENT (1 << 20) /* bulk: bytes per segment (see bulk_side) */
#endif
#ifndef SIDE_CHURN_SEGMENT
#define SIDE_CHURN_SEGMENT 100 /* churn: cycles per segment */
#endif

static const char *const side_names[2] = {"raw", "sptcp"};

/* The implementation (0 raw, 1 sptcp) that goes k-th (0, 1) in segment seg. */
static int side_which(size_t seg, int k) {
    return (int)(seg & 1) ^ k;
}

/* Whether segment seg (of segs) ends a unit (see above). */
static int side_unit_ends(size_t seg, size_t segs) {
    return seg % 2 == 1 || seg + 1 == segs;
}

/* The echo side of pingpong_side: one thread for both pairs (the same
 * thread, so the scheduler treats both alike), following the same
 * schedule as the client. */
struct pp_side_job {
    struct pair *pair; /* [2] */
    size_t n, segs;
};

static void *pp_echo_side(void *arg) {
    struct pp_side_job *j = arg;
    for (size_t s = 0; s < j->segs; s++) {
        size_t count = (s + 1) * j->n / j->segs - s * j->n / j->segs;
        for (int k = 0; k < 2; k++) {
            struct pp_job one = {&j->pair[side_which(s, k)], count};
            pp_echo(&one);
        }
    }
    return NULL;
}

static void pingpong_side(const char *figure, int uds, size_t n) {
    struct pair p[2] = {{"raw", uds, 0, 0, NULL, NULL, NULL}, {"sptcp", uds, 0, 0, NULL, NULL, NULL}};
    double *rtt[2];
    for (int k = 0; k < 2; k++) {
        open_pair(&p[k], 1);
        rtt[k] = malloc(n * sizeof *rtt[k]);
    }
    size_t segs = n >= SIDE_SEGMENTS ? SIDE_SEGMENTS : 1;
    struct pp_side_job j = {p, n, segs};
    pthread_t t;
    pthread_create(&t, NULL, pp_echo_side, &j);
    double *rmed = malloc(segs * sizeof *rmed), *rp99 = malloc(segs * sizeof *rp99);
    size_t units = 0, unit_from = 0;
    for (size_t s = 0; s < segs; s++) {
        size_t from = s * n / segs, to = (s + 1) * n / segs;
        for (int k = 0; k < 2; k++) {
            int w = side_which(s, k);
            for (size_t i = from; i < to; i++) rtt[w][i] = pp_once(&p[w], (uint32_t)i);
        }
        if (!side_unit_ends(s, segs)) continue;
        struct latency a = latency_of(rtt[0] + unit_from, to - unit_from), b = latency_of(rtt[1] + unit_from, to - unit_from);
        rmed[units] = b.median / a.median;
        rp99[units++] = b.p99 / a.p99;
        unit_from = to;
    }
    pthread_join(t, NULL);
    for (int k = 0; k < 2; k++) {
        report_latency(figure, side_names[k], rtt[k], n);
        free(rtt[k]);
        close_pair(&p[k]);
    }
    printf("RESULT %s ratio median_us %.4f x\n", figure, ratio_median(rmed, units));
    printf("RESULT %s ratio p99_us %.4f x\n", figure, ratio_median(rp99, units));
    free(rmed);
    free(rp99);
}

/* The sender of bulk_side: one thread for both pairs (the same thread, so
 * the scheduler treats both alike), sending what each command read from
 * cmd asks for, until a command for 0 bytes. */
struct bulk_cmd {
    int which; /* 0 raw, 1 sptcp */
    size_t bytes;
};

struct bulk_feed {
    struct pair *pair; /* [2] */
    int cmd[2];
};

static void *bulk_feeder(void *arg) {
    struct bulk_feed *f = arg;
    static char chunk[CHUNK];
    for (;;) {
        struct bulk_cmd c;
        if (read(f->cmd[0], &c, sizeof c) != (ssize_t)sizeof c || c.bytes == 0) return NULL;
        struct pair *p = &f->pair[c.which];
        for (size_t sent = 0; sent < c.bytes; sent += CHUNK) {
            int bad = p->client ? sptcp_put_data(p->client, (const uint8_t *)chunk, CHUNK) != SPTCP_OK
                                : raw_send_all(p->raw_client, chunk, CHUNK) != 0;
            if (bad) die("bulk send");
        }
    }
}

/* A segment's time runs from the command to its sender to the last block
 * received, as bulk_blocking's from starting the sender. Segments are short
 * (1 MiB, about a millisecond here) so that raw C and the library see the
 * same state of a noisy host: with 32 MiB segments, one process's ratio
 * ranged 0.92-1.08 over six runs of 1 GiB on this VM, with 1 MiB 0.96-1.03,
 * and with 512 KiB 0.98-1.01. The cost is a little dilution: each segment
 * also holds one wake-up of the sender (tens of microseconds, the same for
 * both), so a real difference in throughput shows a few percent smaller. */
static void bulk_side(const char *figure, int uds, size_t total) {
    size_t segs = total / SIDE_BULK_SEGMENT;
    if (segs < 2) segs = 2;
    size_t seg = total / segs / CHUNK * CHUNK;
    if (!seg) seg = CHUNK;
    struct pair p[2] = {{"raw", uds, 0, 0, NULL, NULL, NULL}, {"sptcp", uds, 0, 0, NULL, NULL, NULL}};
    for (int k = 0; k < 2; k++) open_pair(&p[k], 0);
    struct bulk_feed f = {p, {-1, -1}};
    if (pipe(f.cmd)) die("pipe");
    pthread_t t;
    pthread_create(&t, NULL, bulk_feeder, &f);
    static char buf[CHUNK];
    double secs[2] = {0, 0}, took[2] = {0, 0}, *r = malloc(segs * sizeof *r);
    size_t units = 0;
    for (size_t s = 0; s < segs; s++) {
        if (s % 2 == 0) took[0] = took[1] = 0;
        for (int k = 0; k < 2; k++) {
            int w = side_which(s, k);
            struct bulk_cmd c = {w, seg};
            double t0 = now_s();
            if (write(f.cmd[1], &c, sizeof c) != (ssize_t)sizeof c) die("bulk command");
            for (size_t got = 0; got < seg; got += CHUNK) {
                int bad = p[w].server ? sptcp_get_data(p[w].server, (uint8_t *)buf, CHUNK, NULL) != SPTCP_OK
                                      : raw_recv_all(p[w].raw_server, buf, CHUNK) != 0;
                if (bad) die("bulk recv");
            }
            double dt = now_s() - t0;
            took[w] += dt;
            secs[w] += dt;
        }
        if (side_unit_ends(s, segs)) r[units++] = took[0] / took[1]; /* throughput: the library's / raw C's */
    }
    struct bulk_cmd stop = {0, 0};
    if (write(f.cmd[1], &stop, sizeof stop) != (ssize_t)sizeof stop) die("bulk command");
    pthread_join(t, NULL);
    close(f.cmd[0]);
    close(f.cmd[1]);
    double mib = (double)(segs * seg) / (double)(1 << 20), rate[2];
    for (int k = 0; k < 2; k++) {
        rate[k] = mib / secs[k];
        printf("RESULT %s %s throughput %.1f MiB/s\n", figure, side_names[k], rate[k]);
        close_pair(&p[k]);
    }
    printf("RESULT %s ratio throughput %.4f x\n", figure, ratio_median(r, units));
    free(r);
}

/* ---- libuv ----------------------------------------------------------------- */
#ifdef HAVE_LIBUV
/* Server: a loop in its own thread that counts (bulk) or echoes (ping-pong);
 * client: a loop in the main thread. */
struct uv_side {
    uv_loop_t loop;
    uv_tcp_t listener, conn;
    int echo;
    size_t total, got;
    double done_at;
    int port;
    uv_async_t ready;
};

static void uv_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    static char space[2][CHUNK];
    (void)suggested;
    buf->base = space[h->data ? 1 : 0];
    buf->len = CHUNK;
}

static void uv_echo_written(uv_write_t *req, int status) {
    (void)status;
    free(req);
}

static void uv_server_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    struct uv_side *side = s->loop->data;
    if (n < 0) {
        uv_close((uv_handle_t *)s, NULL);
        uv_close((uv_handle_t *)&side->listener, NULL);
        return;
    }
    side->got += (size_t)n;
    if (side->echo && n > 0) {
        uv_write_t *req = malloc(sizeof *req + (size_t)n);
        memcpy(req + 1, buf->base, (size_t)n);
        uv_buf_t out = uv_buf_init((char *)(req + 1), (unsigned)n);
        uv_write(req, s, &out, 1, uv_echo_written);
    }
    if (!side->echo && side->got >= side->total) {
        side->done_at = now_s();
        uv_close((uv_handle_t *)s, NULL);
        uv_close((uv_handle_t *)&side->listener, NULL);
    }
}

static void uv_on_connection(uv_stream_t *l, int status) {
    struct uv_side *side = l->loop->data;
    if (status) return;
    uv_tcp_init(&side->loop, &side->conn);
    uv_accept(l, (uv_stream_t *)&side->conn);
    uv_tcp_nodelay(&side->conn, side->echo);
    uv_read_start((uv_stream_t *)&side->conn, uv_alloc, uv_server_read);
}

static void *uv_server_thread(void *arg) {
    struct uv_side *side = arg;
    uv_run(&side->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void uv_start_server(struct uv_side *side) {
    uv_loop_init(&side->loop);
    side->loop.data = side;
    uv_tcp_init(&side->loop, &side->listener);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    uv_tcp_bind(&side->listener, (const struct sockaddr *)&a, 0);
    uv_listen((uv_stream_t *)&side->listener, 128, uv_on_connection);
    int len = sizeof a;
    uv_tcp_getsockname(&side->listener, (struct sockaddr *)&a, &len);
    side->port = ntohs(a.sin_port);
}

/* The client loop. */
struct uv_client {
    uv_loop_t loop;
    uv_tcp_t tcp;
    uv_connect_t creq;
    uv_write_t wreq;
    size_t total, sent, n, i, got;
    int pingpong;
    uint32_t value;
    double t0, *rtt;
    char chunk[CHUNK];
};

static void uv_client_write_next(struct uv_client *c);

static void uv_client_written(uv_write_t *req, int status) {
    struct uv_client *c = req->data;
    if (status) die("uv write");
    if (!c->pingpong) {
        c->sent += CHUNK;
        if (c->sent < c->total) {
            uv_client_write_next(c);
        } else {
            uv_close((uv_handle_t *)&c->tcp, NULL);
        }
    }
}

static void uv_client_write_next(struct uv_client *c) {
    uv_buf_t b = c->pingpong ? uv_buf_init((char *)&c->value, 4) : uv_buf_init(c->chunk, CHUNK);
    c->wreq.data = c;
    if (c->pingpong) c->t0 = now_s();
    uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, uv_client_written);
}

static void uv_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    struct uv_client *c = s->loop->data;
    (void)buf;
    if (n < 0) return;
    c->got += (size_t)n;
    if (c->got >= 4) { /* one reply */
        c->got -= 4;
        c->rtt[c->i++] = now_s() - c->t0;
        if (c->i < c->n) {
            c->value++;
            uv_client_write_next(c);
        } else {
            uv_close((uv_handle_t *)&c->tcp, NULL);
        }
    }
}

static void uv_client_connected(uv_connect_t *req, int status) {
    struct uv_client *c = req->data;
    if (status) die("uv connect");
    uv_tcp_nodelay(&c->tcp, c->pingpong);
    if (c->pingpong) {
        c->tcp.data = (void *)1;
        uv_read_start((uv_stream_t *)&c->tcp, uv_alloc, uv_client_read);
    }
    uv_client_write_next(c);
}

static void run_libuv(int pingpong, size_t amount) {
    static struct uv_side server;
    memset(&server, 0, sizeof server);
    server.echo = pingpong;
    server.total = amount;
    uv_start_server(&server);
    pthread_t t;
    pthread_create(&t, NULL, uv_server_thread, &server);
    static struct uv_client c;
    memset(&c, 0, sizeof c);
    c.pingpong = pingpong;
    c.total = amount;
    c.n = amount;
    if (pingpong) c.rtt = malloc(amount * sizeof *c.rtt);
    uv_loop_init(&c.loop);
    c.loop.data = &c;
    uv_tcp_init(&c.loop, &c.tcp);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", server.port, &a);
    c.creq.data = &c;
    double start = now_s();
    uv_tcp_connect(&c.creq, &c.tcp, (const struct sockaddr *)&a, uv_client_connected);
    uv_run(&c.loop, UV_RUN_DEFAULT);
    pthread_join(t, NULL);
    if (pingpong) {
        report_latency("pingpong", "libuv", c.rtt, c.n);
        free(c.rtt);
    } else {
        printf("RESULT bulk libuv throughput %.1f MiB/s\n", (double)(amount >> 20) / (server.done_at - start));
    }
    uv_loop_close(&c.loop);
    uv_loop_close(&server.loop);
}
#endif

/* ---- SDL2_net ----------------------------------------------------------- */
#ifdef HAVE_SDL2NET
struct sdl_job {
    TCPsocket server;
    size_t amount;
    int pingpong;
};

static void *sdl_server(void *arg) {
    struct sdl_job *j = arg;
    static char buf[CHUNK];
    if (j->pingpong) {
        for (size_t i = 0; i < j->amount; i++) {
            uint32_t v;
            int got = 0;
            while (got < 4) {
                int k = SDLNet_TCP_Recv(j->server, (char *)&v + got, 4 - got);
                if (k <= 0) die("sdl recv");
                got += k;
            }
            if (SDLNet_TCP_Send(j->server, &v, 4) < 4) die("sdl send");
        }
    } else {
        size_t got = 0;
        while (got < j->amount) {
            int k = SDLNet_TCP_Recv(j->server, buf, CHUNK);
            if (k <= 0) die("sdl recv");
            got += (size_t)k;
        }
    }
    return NULL;
}

static void run_sdl2net(int pingpong, size_t amount) {
    if (SDL_Init(0) || SDLNet_Init()) die("SDL init");
    /* SDL2_net listens on every address only; find a free port first. */
    int port;
    close(raw_listener(&port));
    IPaddress any, loop;
    SDLNet_ResolveHost(&any, NULL, (Uint16)port);
    SDLNet_ResolveHost(&loop, "127.0.0.1", (Uint16)port);
    TCPsocket listener = SDLNet_TCP_Open(&any);
    if (!listener) die("sdl listen");
    TCPsocket client = SDLNet_TCP_Open(&loop);
    TCPsocket server = NULL;
    while (!server) server = SDLNet_TCP_Accept(listener);
    struct sdl_job j = {server, amount, pingpong};
    pthread_t t;
    double start = now_s();
    pthread_create(&t, NULL, sdl_server, &j);
    if (pingpong) {
        double *rtt = malloc(amount * sizeof *rtt);
        for (size_t i = 0; i < amount; i++) {
            uint32_t v = (uint32_t)i, back = 0;
            double t0 = now_s();
            if (SDLNet_TCP_Send(client, &v, 4) < 4) die("sdl send");
            int got = 0;
            while (got < 4) {
                int k = SDLNet_TCP_Recv(client, (char *)&back + got, 4 - got);
                if (k <= 0) die("sdl recv");
                got += k;
            }
            rtt[i] = now_s() - t0;
        }
        pthread_join(t, NULL);
        report_latency("pingpong", "sdl2net", rtt, amount);
        free(rtt);
    } else {
        static char chunk[CHUNK];
        for (size_t sent = 0; sent < amount; sent += CHUNK) {
            if (SDLNet_TCP_Send(client, chunk, CHUNK) < CHUNK) die("sdl send");
        }
        pthread_join(t, NULL);
        printf("RESULT bulk sdl2net throughput %.1f MiB/s\n", (double)(amount >> 20) / (now_s() - start));
    }
    SDLNet_TCP_Close(client);
    SDLNet_TCP_Close(server);
    SDLNet_TCP_Close(listener);
    SDLNet_Quit();
    SDL_Quit();
}
#endif

/* ---- connection churn ------------------------------------------------------ */

/* Cycles from..to of connect + accept + one u32 + close, raw C, against
 * the listener l on port. */
static void churn_raw_cycles(int l, int port, size_t from, size_t to) {
    for (size_t i = from; i < to; i++) {
        int c = raw_connect(port);
        int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        uint32_t v = (uint32_t)i, back;
        if (raw_send_all(c, &v, 4) || raw_recv_all(s, &back, 4)) die("churn");
        close(s); /* server side first: TIME_WAIT stays on the listening port */
        close(c);
    }
}

/* The same with the library. */
static void churn_sptcp_cycles(sptcp_server *l, int port, size_t from, size_t to) {
    for (size_t i = from; i < to; i++) {
        sptcp_peer *c = sptcp_peer_new();
        sptcp_connect_to_host(c, "127.0.0.1", port);
        sptcp_peer *s = sptcp_take(l);
        while (sptcp_get_status(c) == SPTCP_STATUS_CONNECTING) sptcp_poll(c);
        uint32_t back;
        if (sptcp_put_u32(c, (uint32_t)i) != SPTCP_OK || sptcp_get_u32(s, &back) != SPTCP_OK) die("churn");
        sptcp_peer_free(s);
        sptcp_peer_free(c);
    }
}

/* figure/label: what the RESULT line says ("churn", or "tlshs" "plain"). */
static void churn_as(const char *figure, const char *label, const char *impl, size_t cycles) {
    double start = now_s();
    if (strcmp(impl, "raw") == 0) {
        int port;
        int l = raw_listener(&port);
        churn_raw_cycles(l, port, 0, cycles);
        close(l);
    } else {
        sptcp_server *l = sptcp_server_new();
        sptcp_server_listen(l, 0, "127.0.0.1");
        churn_sptcp_cycles(l, sptcp_server_get_local_port(l), 0, cycles);
        sptcp_server_free(l);
    }
    printf("RESULT %s %s rate %.1f conn/s\n", figure, label, (double)cycles / (now_s() - start));
}

static void churn(const char *impl, size_t cycles) {
    churn_as("churn", impl, impl, cycles);
}

/* Both listeners open at once, segments of SIDE_CHURN_SEGMENT cycles. */
static void churn_side(size_t cycles) {
    int raw_port;
    int raw_l = raw_listener(&raw_port);
    sptcp_server *l = sptcp_server_new();
    if (sptcp_server_listen(l, 0, "127.0.0.1") != SPTCP_OK) die("listen");
    int port = sptcp_server_get_local_port(l);
    size_t segs = cycles / SIDE_CHURN_SEGMENT;
    if (segs < 2) segs = cycles >= 2 ? 2 : 1;
    double secs[2] = {0, 0}, took[2] = {0, 0}, *r = malloc(segs * sizeof *r);
    size_t units = 0;
    for (size_t s = 0; s < segs; s++) {
        size_t from = s * cycles / segs, to = (s + 1) * cycles / segs;
        if (s % 2 == 0) took[0] = took[1] = 0;
        for (int k = 0; k < 2; k++) {
            int w = side_which(s, k);
            double t0 = now_s();
            if (w == 0) churn_raw_cycles(raw_l, raw_port, from, to);
            else churn_sptcp_cycles(l, port, from, to);
            double dt = now_s() - t0;
            took[w] += dt;
            secs[w] += dt;
        }
        if (side_unit_ends(s, segs)) r[units++] = took[0] / took[1]; /* rate: the library's / raw C's */
    }
    close(raw_l);
    sptcp_server_free(l);
    double rate[2];
    for (int k = 0; k < 2; k++) {
        rate[k] = (double)cycles / secs[k];
        printf("RESULT churn %s rate %.1f conn/s\n", side_names[k], rate[k]);
    }
    printf("RESULT churn ratio rate %.4f x\n", ratio_median(r, units));
    free(r);
}

/* ---- idle connections ------------------------------------------------------ */

static long rss_bytes(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

static int *connect_paced(int port, size_t n, int ack_fd);
static void paced_taken(size_t taken, size_t n, int ack_fd);

static void idle(size_t n) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    sptcp_server *l = sptcp_server_new();
    sptcp_server_listen(l, 0, "127.0.0.1");
    int port = sptcp_server_get_local_port(l);
    /* The idle clients live in a child process: the parent holds only the
     * accepted peers. Paced (connect_paced), as groupwait's. */
    int ready[2], ack[2];
    if (pipe(ready) || pipe(ack)) die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        connect_paced(port, n, ack[0]);
        if (write(ready[1], "k", 1) != 1) _exit(1);
        pause();
        _exit(0);
    }
    long rss0 = rss_bytes();
    sptcp_peer **peers = malloc(n * sizeof *peers);
    for (size_t i = 0; i < n; i++) {
        peers[i] = sptcp_take(l);
        paced_taken(i + 1, n, ack[1]);
    }
    char k;
    if (read(ready[0], &k, 1) != 1) die("child");
    long rss1 = rss_bytes();
    /* One active pair on top of the idle ones. */
    struct pair p = {"sptcp", 0, 0, 0, NULL, NULL, NULL};
    p.listener = l;
    p.client = sptcp_peer_new();
    sptcp_connect_to_host(p.client, "127.0.0.1", port);
    p.server = sptcp_take(l);
    while (sptcp_get_status(p.client) == SPTCP_STATUS_CONNECTING) sptcp_poll(p.client);
    sptcp_set_no_delay(p.client, true);
    sptcp_set_no_delay(p.server, true);

    /* Cost of one sptcp_poll pass over every idle peer. */
    const int passes = n >= 10000 ? 20 : 100;
    double *pass = malloc((size_t)passes * sizeof *pass);
    for (int r = 0; r < passes; r++) {
        double t0 = now_s();
        for (size_t i = 0; i < n; i++) sptcp_poll(peers[i]);
        pass[r] = now_s() - t0;
    }
    qsort(pass, (size_t)passes, sizeof *pass, cmp_double);
    printf("RESULT idle%zu sptcp poll_pass_us %.1f us\n", n, pass[passes / 2] * 1e6);
    printf("RESULT idle%zu sptcp poll_per_peer_ns %.1f ns\n", n, pass[passes / 2] * 1e9 / (double)n);

    /* Latency of the active peer when the server polls every peer, then
     * serves the active one, like a game loop. The client runs in a thread. */
    const size_t rounds = n >= 10000 ? 200 : 2000;
    double *rtt = malloc(rounds * sizeof *rtt);
    for (size_t r = 0; r < rounds; r++) {
        uint32_t v = (uint32_t)r, back = 0;
        double t0 = now_s();
        sptcp_put_u32(p.client, v);
        for (;;) {
            for (size_t i = 0; i < n; i++) sptcp_poll(peers[i]);
            sptcp_poll(p.server);
            if (sptcp_get_available_bytes(p.server) >= 4) break;
        }
        sptcp_get_u32(p.server, &back);
        sptcp_put_u32(p.server, back);
        sptcp_get_u32(p.client, &back);
        rtt[r] = now_s() - t0;
    }
    report_latency("idle", "sptcp", rtt, rounds);
    printf("RESULT idle%zu sptcp active_rtt_us %.1f us\n", n, rtt[rounds / 2] * 1e6);
    printf("RESULT idle%zu sptcp rss_per_peer %.0f bytes\n", n, (double)(rss1 - rss0) / (double)n);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(ack[0]);
    close(ack[1]);
    close(ready[0]);
    close(ready[1]);
    for (size_t i = 0; i < n; i++) sptcp_peer_free(peers[i]);
    free(peers);
    free(pass);
    free(rtt);
    p.listener = NULL;
    close_pair(&p);
    sptcp_server_free(l);
}

/* ---- poll groups ------------------------------------------------------------ */

#define GROUP_EVENTS 256 /* events per wait, for every implementation */

static void raise_nofile(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

/* Connects n raw clients to `port` without overflowing the listen queue
 * (the library listens with Godot's backlog of 8; an overflow drops the
 * SYN and costs a 1 s retry): after every PACE connections, wait for one
 * byte from the server side saying it has taken them (paced_taken). */
#define PACE 8

static int *connect_paced(int port, size_t n, int ack_fd) {
    int *fds = malloc(n * sizeof *fds);
    for (size_t i = 0; i < n; i++) {
        fds[i] = raw_connect(port);
        char ack;
        if (((i + 1) % PACE == 0 || i + 1 == n) && read(ack_fd, &ack, 1) != 1) _exit(1);
    }
    return fds;
}

/* The server side of connect_paced: call it after taking connection
 * number `taken` (from 1) of n. */
static void paced_taken(size_t taken, size_t n, int ack_fd) {
    if ((taken % PACE == 0 || taken == n) && write(ack_fd, "k", 1) != 1) die("ack");
}

/* groupwait: one sptcp_group_wait(timeout 0) over n idle connected peers
 * against one raw epoll_wait(timeout 0) over the same sockets (registered
 * for EPOLLIN in an epoll set of our own), in batches that alternate in the
 * same process; then one sptcp_poll pass over the same peers, and the
 * resident memory per idle peer with and without its group entry. The idle
 * clients live in a child process, as for `idle`. */
static void groupwait(size_t n) {
    raise_nofile();
    sptcp_server *l = sptcp_server_new();
    if (sptcp_server_listen(l, 0, "127.0.0.1") != SPTCP_OK) die("listen");
    int port = sptcp_server_get_local_port(l);
    int ack[2];
    if (pipe(ack)) die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        connect_paced(port, n, ack[0]);
        pause();
        _exit(0);
    }
    long rss0 = rss_bytes();
    sptcp_peer **peers = malloc(n * sizeof *peers);
    for (size_t i = 0; i < n; i++) {
        while (!(peers[i] = sptcp_server_take_connection(l))) {
            if (sptcp_server_wait(l, 10000) != SPTCP_OK) die("server_wait");
        }
        paced_taken(i + 1, n, ack[1]);
    }
    long rss1 = rss_bytes();
    sptcp_group *g = sptcp_group_new();
    if (!g) die("group_new");
    for (size_t i = 0; i < n; i++) {
        if (sptcp_group_add_peer(g, peers[i], SPTCP_EVENT_READABLE, peers[i]) != SPTCP_OK) die("group_add_peer");
    }
    long rss2 = rss_bytes();
    if (sptcp_group_size(g) != n) die("group_size");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    for (size_t i = 0; i < n; i++) {
        struct epoll_event e = {.events = EPOLLIN, .data.u64 = i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, (int)sptcp_get_socket(peers[i]), &e)) die("epoll_ctl");
    }

    static sptcp_event ev[GROUP_EVENTS];
    static struct epoll_event ee[GROUP_EVENTS];
    const size_t batches = 41, per = n >= 1000 ? 2000 : 200;
    double gw[41], ew[41];
    for (size_t b = 0; b < batches; b++) {
        double t0 = now_s();
        for (size_t i = 0; i < per; i++) {
            size_t got = 1;
            if (sptcp_group_wait(g, 0, ev, GROUP_EVENTS, &got) != SPTCP_OK || got != 0) die("group_wait");
        }
        double t1 = now_s();
        for (size_t i = 0; i < per; i++) {
            if (epoll_wait(ep, ee, GROUP_EVENTS, 0) != 0) die("epoll_wait");
        }
        double t2 = now_s();
        gw[b] = (t1 - t0) / (double)per;
        ew[b] = (t2 - t1) / (double)per;
    }
    double group_us = median_of(gw, batches), epoll_us = median_of(ew, batches);

    const int passes = n >= 10000 ? 20 : 100;
    double pass[100];
    for (int r = 0; r < passes; r++) {
        double t0 = now_s();
        for (size_t i = 0; i < n; i++) sptcp_poll(peers[i]);
        pass[r] = now_s() - t0;
    }
    double pass_s = median_of(pass, (size_t)passes);

    printf("RESULT groupwait sptcp peers %zu peers\n", n);
    printf("RESULT groupwait sptcp wait_us %.3f us\n", group_us * 1e6);
    printf("RESULT groupwait raw wait_us %.3f us\n", epoll_us * 1e6);
    printf("RESULT groupwait sptcp poll_pass_us %.1f us\n", pass_s * 1e6);
    printf("RESULT groupwait sptcp rss_per_peer %.0f bytes\n", (double)(rss2 - rss0) / (double)n);
    printf("RESULT groupwait sptcp rss_group_entry %.0f bytes\n", (double)(rss2 - rss1) / (double)n);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(ep);
    close(ack[0]);
    close(ack[1]);
    for (size_t i = 0; i < n; i++) sptcp_peer_free(peers[i]); /* each leaves the group */
    if (sptcp_group_size(g) != 0) die("group_size after freeing");
    sptcp_group_free(g);
    free(peers);
    sptcp_server_free(l);
}

/* groupecho: an echo server holding n connections, n / 100 of them active.
 * The load is the same for every server: a child process connects n raw
 * sockets (every 100th one active; paced so that the server has taken
 * them all before the load starts), then keeps one u32 in flight on each active connection from one
 * epoll loop (`rounds` round trips each, the first tenth not timed) and
 * closes everything. The servers (sptcp on a group, raw epoll, libuv) run
 * in one thread of the parent, read without waiting and echo at once. */

struct echo_ctl {
    size_t n, accepted, closed;
    int go_fd; /* to the client: the port, then the connect_paced bytes */
};

static void echo_taken(struct echo_ctl *c) {
    paced_taken(++c->accepted, c->n, c->go_fd);
}

static void echo_client(int cmd_fd, int res_fd, size_t n, size_t rounds) {
    alarm(300);
    int port;
    if (read(cmd_fd, &port, sizeof port) != (ssize_t)sizeof port) _exit(1);
    size_t active = n / 100 ? n / 100 : 1;
    int *fds = connect_paced(port, n, cmd_fd); /* then the server has taken all */
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct conn { int fd; uint32_t next, have; uint8_t buf[4]; size_t done; } *c = calloc(active, sizeof *c);
    for (size_t a = 0; a < active; a++) {
        c[a].fd = fds[a * (n / active)];
        raw_nodelay(c[a].fd);
        struct epoll_event e = {.events = EPOLLIN, .data.u64 = a};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c[a].fd, &e)) die("client epoll_ctl");
    }
    size_t warm = active * (rounds / 10), total = active * rounds, count = 0, finished = 0;
    double t0 = now_s();
    for (size_t a = 0; a < active; a++) {
        if (raw_send_all(c[a].fd, &c[a].next, 4)) die("client send");
    }
    static struct epoll_event ee[GROUP_EVENTS];
    while (finished < active) {
        int k = epoll_wait(ep, ee, GROUP_EVENTS, 10000);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) die("client: no echo for 10 s");
        for (int i = 0; i < k; i++) {
            struct conn *x = &c[ee[i].data.u64];
            ssize_t got = recv(x->fd, x->buf + x->have, 4 - x->have, 0);
            if (got <= 0) die("client recv");
            x->have += (uint32_t)got;
            if (x->have < 4) continue;
            uint32_t v;
            memcpy(&v, x->buf, 4);
            if (v != x->next) die("client: wrong echo");
            x->have = 0;
            x->next++;
            if (++count == warm) t0 = now_s();
            if (++x->done == rounds) {
                finished++;
            } else if (raw_send_all(x->fd, &x->next, 4)) {
                die("client send");
            }
        }
    }
    double rate = (double)(total - warm) / (now_s() - t0);
    for (size_t i = 0; i < n; i++) close(fds[i]);
    if (write(res_fd, &rate, sizeof rate) != (ssize_t)sizeof rate) _exit(1);
    _exit(0);
}

/* Sends the rest of an echo the socket did not take at once: never
 * happens with one u32 in flight, but a server must not lose it. */
static void raw_send_rest(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
        } else if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pf = {fd, POLLOUT, 0};
            poll(&pf, 1, 1000);
        } else {
            return; /* closed: the read side will see it */
        }
    }
}

static char echo_buf[4096];
static char echo_listener_tag;

static void echo_serve_sptcp(struct echo_ctl *ctl) {
    sptcp_server *l = sptcp_server_new();
    if (sptcp_server_listen(l, 0, "127.0.0.1") != SPTCP_OK) die("listen");
    int port = sptcp_server_get_local_port(l);
    if (write(ctl->go_fd, &port, sizeof port) != (ssize_t)sizeof port) die("port");
    sptcp_group *g = sptcp_group_new();
    if (!g || sptcp_group_add_server(g, l, &echo_listener_tag) != SPTCP_OK) die("group");
    static sptcp_event ev[GROUP_EVENTS];
    while (ctl->closed < ctl->n) {
        size_t k = 0;
        if (sptcp_group_wait(g, 1000, ev, GROUP_EVENTS, &k) != SPTCP_OK) die("group_wait");
        for (size_t i = 0; i < k; i++) {
            if (ev[i].user_data == &echo_listener_tag) {
                sptcp_peer *p;
                while ((p = sptcp_server_take_connection(l))) {
                    sptcp_set_no_delay(p, true);
                    if (sptcp_group_add_peer(g, p, SPTCP_EVENT_READABLE, p) != SPTCP_OK) die("group_add_peer");
                    echo_taken(ctl);
                }
                continue;
            }
            sptcp_peer *p = ev[i].user_data;
            int gone = 0;
            if (ev[i].events & SPTCP_EVENT_READABLE) {
                size_t got = 0, sent = 0;
                if (sptcp_get_partial_data(p, (uint8_t *)echo_buf, sizeof echo_buf, &got) != SPTCP_OK) {
                    gone = 1; /* end of stream or error */
                } else if (got && sptcp_put_partial_data(p, (const uint8_t *)echo_buf, got, &sent) != SPTCP_OK) {
                    gone = 1;
                } else if (sent < got && sptcp_put_data(p, (const uint8_t *)echo_buf + sent, got - sent) != SPTCP_OK) {
                    gone = 1; /* the rest, see raw_send_rest */
                }
            } else if (ev[i].events & (SPTCP_EVENT_HANGUP | SPTCP_EVENT_ERROR)) {
                gone = 1;
            }
            if (gone) {
                sptcp_peer_free(p); /* leaves the group */
                ctl->closed++;
            }
        }
    }
    if (sptcp_group_size(g) != 1) die("group_size");
    sptcp_group_free(g);
    sptcp_server_free(l);
}

static void echo_serve_raw(struct echo_ctl *ctl) {
    int port;
    int l = raw_listener(&port);
    fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_NONBLOCK);
    if (write(ctl->go_fd, &port, sizeof port) != (ssize_t)sizeof port) die("port");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e = {.events = EPOLLIN, .data.fd = l};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, l, &e)) die("epoll_ctl");
    static struct epoll_event ee[GROUP_EVENTS];
    while (ctl->closed < ctl->n) {
        int k = epoll_wait(ep, ee, GROUP_EVENTS, 1000);
        if (k < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < k; i++) {
            int fd = ee[i].data.fd;
            if (fd == l) {
                int c;
                while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    raw_nodelay(c);
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce)) die("epoll_ctl");
                    echo_taken(ctl);
                }
                continue;
            }
            ssize_t got = recv(fd, echo_buf, sizeof echo_buf, 0);
            if (got > 0) {
                ssize_t sent = send(fd, echo_buf, (size_t)got, MSG_NOSIGNAL);
                if (sent < got) raw_send_rest(fd, echo_buf + (sent > 0 ? sent : 0), (size_t)(got - (sent > 0 ? sent : 0)));
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(fd); /* leaves the epoll set */
                ctl->closed++;
            }
        }
    }
    close(ep);
    close(l);
}

#ifdef HAVE_LIBUV
struct uv_echo {
    uv_loop_t loop;
    uv_tcp_t listener;
    struct echo_ctl *ctl;
};

static void uv_echo_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(echo_buf, sizeof echo_buf);
}

static void uv_echo_closed(uv_handle_t *h) {
    struct uv_echo *u = h->loop->data;
    free(h);
    if (++u->ctl->closed == u->ctl->n) uv_close((uv_handle_t *)&u->listener, NULL);
}

static void uv_echo_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    if (n < 0) {
        uv_close((uv_handle_t *)s, uv_echo_closed);
        return;
    }
    if (n == 0) return;
    /* The usual libuv echo: write at once, queue what is left. */
    uv_buf_t out = uv_buf_init(buf->base, (unsigned)n);
    int w = uv_try_write(s, &out, 1);
    size_t done = w > 0 ? (size_t)w : 0;
    if (done < (size_t)n) {
        uv_write_t *req = malloc(sizeof *req + (size_t)n - done);
        memcpy(req + 1, buf->base + done, (size_t)n - done);
        uv_buf_t rest = uv_buf_init((char *)(req + 1), (unsigned)((size_t)n - done));
        uv_write(req, s, &rest, 1, uv_echo_written);
    }
}

static void uv_echo_connection(uv_stream_t *l, int status) {
    struct uv_echo *u = l->loop->data;
    if (status) return;
    uv_tcp_t *c = malloc(sizeof *c);
    uv_tcp_init(&u->loop, c);
    if (uv_accept(l, (uv_stream_t *)c)) {
        free(c);
        return;
    }
    uv_tcp_nodelay(c, 1);
    uv_read_start((uv_stream_t *)c, uv_echo_alloc, uv_echo_read);
    echo_taken(u->ctl);
}

static void echo_serve_libuv(struct echo_ctl *ctl) {
    static struct uv_echo u;
    memset(&u, 0, sizeof u);
    u.ctl = ctl;
    uv_loop_init(&u.loop);
    u.loop.data = &u;
    uv_tcp_init(&u.loop, &u.listener);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    if (uv_tcp_bind(&u.listener, (const struct sockaddr *)&a, 0) ||
        uv_listen((uv_stream_t *)&u.listener, 128, uv_echo_connection)) {
        die("uv listen");
    }
    int len = sizeof a;
    uv_tcp_getsockname(&u.listener, (struct sockaddr *)&a, &len);
    int port = ntohs(a.sin_port);
    if (write(ctl->go_fd, &port, sizeof port) != (ssize_t)sizeof port) die("port");
    uv_run(&u.loop, UV_RUN_DEFAULT); /* until every connection and the listener are closed */
    uv_loop_close(&u.loop);
}
#endif

static void groupecho(const char *impl, size_t n, size_t rounds) {
    void (*serve)(struct echo_ctl *) = NULL;
    if (!strcmp(impl, "sptcp")) serve = echo_serve_sptcp;
    else if (!strcmp(impl, "raw")) serve = echo_serve_raw;
#ifdef HAVE_LIBUV
    else if (!strcmp(impl, "libuv")) serve = echo_serve_libuv;
#endif
    if (!serve) {
        printf("SKIPPED groupecho %s not built\n", impl);
        return;
    }
    raise_nofile();
    alarm(300); /* bounded, whatever goes wrong */
    int cmd[2], res[2];
    if (pipe(cmd) || pipe(res)) die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        close(cmd[1]);
        close(res[0]);
        echo_client(cmd[0], res[1], n, rounds);
    }
    close(cmd[0]);
    close(res[1]);
    struct echo_ctl ctl = {n, 0, 0, cmd[1]};
    serve(&ctl);
    double rate = 0;
    if (read(res[0], &rate, sizeof rate) != (ssize_t)sizeof rate) die("client result");
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status)) die("client failed");
    close(cmd[1]);
    close(res[0]);
    printf("RESULT groupecho %s connections %zu conns\n", impl, n);
    printf("RESULT groupecho %s active %zu conns\n", impl, n / 100 ? n / 100 : 1);
    printf("RESULT groupecho %s rate %.0f msg/s\n", impl, rate);
}

/* ---- Variants ---------------------------------------------------------- */

#define VAR_CASES 4 /* u32 int dict bytes1k */

/* Case c's place k in segment s of var_rt. */
static size_t var_case(size_t s, size_t k) {
    return s % 2 ? VAR_CASES - 1 - k : k;
}

/* The echo side of var_rt: one thread for both pairs (the same thread, so
 * that the scheduler treats the cases alike), following the same schedule
 * as the client: pp_echo on the u32 pair, put_var(get_var()) on the other. */
struct var_echo_job {
    struct pair *var, *u32;
    size_t n, segs;
};

static void *var_echo(void *arg) {
    struct var_echo_job *j = arg;
    for (size_t s = 0; s < j->segs; s++) {
        size_t count = (s + 1) * j->n / j->segs - s * j->n / j->segs;
        for (size_t k = 0; k < VAR_CASES; k++) {
            if (var_case(s, k) == 0) {
                struct pp_job one = {j->u32, count};
                pp_echo(&one);
                continue;
            }
            for (size_t i = 0; i < count; i++) {
                sptcp_variant *v = NULL;
                if (sptcp_get_var(j->var->server, false, &v) != SPTCP_OK || sptcp_put_var(j->var->server, v, false) != SPTCP_OK) die("var echo");
                sptcp_variant_free(v);
            }
        }
    }
    return NULL;
}

/* put_var / get_var round trips of three Variants on one pair (its server
 * side runs var_echo) and, in the same process, the u32 round trip
 * (sptcp_put_u32 / sptcp_get_u32) on a second pair (pp_echo, in the same
 * echo thread): SIDE_SEGMENTS segments, each running every case for n /
 * SIDE_SEGMENTS round trips, in the order u32 int dict bytes1k in the even
 * segments and the reverse in the odd ones.
 * Prints each case's median and rate (over all its round trips), and
 * "RESULT var ratio <case>_to_u32": the median over the units (two
 * segments in a row, as in raw+sptcp) of the case's median over the u32
 * one's in the same unit. */
static void var_rt(size_t n) {
    struct pair p = {"sptcp", 0, 0, 0, NULL, NULL, NULL}, q = {"sptcp", 0, 0, 0, NULL, NULL, NULL};
    open_pair(&p, 1);
    open_pair(&q, 1);
    size_t segs = n >= SIDE_SEGMENTS ? SIDE_SEGMENTS : 1;
    struct var_echo_job j = {&p, &q, n, segs};
    pthread_t t;
    pthread_create(&t, NULL, var_echo, &j);
    sptcp_variant *dict = sptcp_variant_new_dictionary();
    const double pos[2] = {1.5, -2};
    sptcp_variant_dict_set(dict, sptcp_variant_new_string("pos"), sptcp_variant_new_math(SPTCP_TYPE_VECTOR2, pos, 2));
    sptcp_variant_dict_set(dict, sptcp_variant_new_string("hp"), sptcp_variant_new_int(42));
    sptcp_variant_dict_set(dict, sptcp_variant_new_string("name"), sptcp_variant_new_string("player"));
    uint8_t kib[1024] = {1, 2, 3};
    sptcp_variant *bytes = sptcp_variant_new_packed(SPTCP_TYPE_PACKED_BYTE_ARRAY, kib, sizeof kib);
    sptcp_variant *small = sptcp_variant_new_int(7); /* the smallest Variant */
    enum { CASES = VAR_CASES };
    struct { const char *name; sptcp_variant *v; } cases[CASES] = {{"u32", NULL}, {"int", small}, {"dict", dict}, {"bytes1k", bytes}};
    double *rtt[CASES], *r[CASES];
    for (size_t c = 0; c < CASES; c++) {
        rtt[c] = malloc(n * sizeof *rtt[c]);
        r[c] = malloc(segs * sizeof *r[c]);
    }
    size_t units = 0, unit_from = 0;
    for (size_t s = 0; s < segs; s++) {
        size_t from = s * n / segs, to = (s + 1) * n / segs;
        for (size_t k = 0; k < CASES; k++) {
            size_t c = var_case(s, k);
            for (size_t i = from; i < to; i++) {
                if (!cases[c].v) {
                    rtt[c][i] = pp_once(&q, (uint32_t)i);
                    continue;
                }
                double t0 = now_s();
                sptcp_variant *back = NULL;
                if (sptcp_put_var(p.client, cases[c].v, false) != SPTCP_OK || sptcp_get_var(p.client, false, &back) != SPTCP_OK) die("var");
                sptcp_variant_free(back);
                rtt[c][i] = now_s() - t0;
            }
        }
        if (!side_unit_ends(s, segs)) continue;
        double u32 = latency_of(rtt[0] + unit_from, to - unit_from).median;
        for (size_t c = 1; c < CASES; c++) r[c][units] = latency_of(rtt[c] + unit_from, to - unit_from).median / u32;
        units++;
        unit_from = to;
    }
    for (size_t c = 0; c < CASES; c++) {
        double med = median_of(rtt[c], n);
        printf("RESULT var %s median_us %.3f us\n", cases[c].name, med * 1e6);
        printf("RESULT var %s rate %.0f rt/s\n", cases[c].name, 1.0 / med);
        free(rtt[c]);
    }
    for (size_t c = 1; c < CASES; c++) printf("RESULT var ratio %s_to_u32 %.4f x\n", cases[c].name, ratio_median(r[c], units));
    for (size_t c = 0; c < CASES; c++) free(r[c]);
    sptcp_variant_free(small);
    sptcp_variant_free(dict);
    sptcp_variant_free(bytes);
    pthread_join(t, NULL);
    close_pair(&p);
    close_pair(&q);
}

/* ---- the far end of the Python benchmark ----------------------------------
 *
 * bench pyserver: listens on an ephemeral 127.0.0.1 port, prints "PORT <n>"
 * and serves every connection (TCP_NODELAY on) until its standard input
 * ends. A connection's first byte says what it is:
 *   'e'  echo: sends back whatever arrives, until the end of the stream;
 *   'k'  sink: a u64 (little-endian) n, then n bytes, answered with one
 *        byte; again, until the end of the stream;
 *   'o'  source: a u64 n, answered with n bytes; again, until the end.
 * bench/py_bench.py runs it as the same far end for both the socket module
 * and the package, in a process of its own (no shared GIL). One thread
 * serves all the connections (the same thread for both implementations,
 * so that the scheduler treats them alike): epoll_wait, then it serves the
 * connection that has something, a sink's or a source's request to the
 * end with blocking calls (the client waits on one connection at a time). */

struct py_conn {
    int fd;
    char mode; /* 0 until the first byte came */
};

/* Serves what arrived on c; 0 when the connection is done. */
static int py_serve(struct py_conn *c, char *buf) {
    if (!c->mode) return raw_recv_all(c->fd, &c->mode, 1) == 0;
    if (c->mode == 'e') {
        ssize_t k;
        do k = recv(c->fd, buf, CHUNK, 0);
        while (k < 0 && errno == EINTR);
        return k > 0 && raw_send_all(c->fd, buf, (size_t)k) == 0;
    }
    uint64_t n;
    if ((c->mode != 'k' && c->mode != 'o') || raw_recv_all(c->fd, &n, sizeof n)) return 0;
    while (n) {
        size_t m = n < CHUNK ? (size_t)n : CHUNK;
        if (c->mode == 'o') {
            if (raw_send_all(c->fd, buf, m)) return 0;
            n -= m;
            continue;
        }
        ssize_t k = recv(c->fd, buf, m, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        n -= (uint64_t)k;
    }
    return c->mode == 'o' || raw_send_all(c->fd, "k", 1) == 0;
}

static void pyserver(void) {
    int port;
    int l = raw_listener(&port);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, l, &e)) die("pyserver epoll");
    struct epoll_event in = {.events = EPOLLIN, .data.ptr = &in};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &in)) die("pyserver: stdin must be a pipe or a terminal (its end stops the server)");
    char *buf = calloc(1, CHUNK);
    printf("PORT %d\n", port);
    fflush(stdout);
    for (;;) {
        struct epoll_event ev[16];
        int k = epoll_wait(ep, ev, 16, -1);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) die("pyserver epoll_wait");
        for (int i = 0; i < k; i++) {
            if (ev[i].data.ptr == &in) {
                char c[64];
                if (read(STDIN_FILENO, c, sizeof c) <= 0) goto done; /* the client is done (or gone) */
            } else if (!ev[i].data.ptr) {
                int fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
                if (fd < 0) continue;
                raw_nodelay(fd);
                struct py_conn *c = calloc(1, sizeof *c);
                c->fd = fd;
                struct epoll_event ce = {.events = EPOLLIN, .data.ptr = c};
                if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce)) die("pyserver epoll_ctl");
            } else {
                struct py_conn *c = ev[i].data.ptr;
                if (!py_serve(c, buf)) {
                    close(c->fd); /* leaves the epoll set */
                    free(c);
                }
            }
        }
    }
done:
    free(buf);
    close(ep);
    close(l);
}

/* ---- TLS --------------------------------------------------------------------- */
#ifdef HAVE_OPENSSL
void ossl_tlsbulk(const char *dir, size_t total);
void ossl_tlshs(const char *figure, const char *dir, const char *cert, const char *key, size_t cycles);
int ossl_info_server_start(const char *dir, const char *cert, const char *key);
const char *ossl_info_server_finish(void);
#endif

static char *read_text(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    char *buf = malloc(1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* The library's TLS options: a client that verifies against the CA, a
 * server with the key (ec: P-256, rsa: RSA-2048). */
struct tls_opts {
    sptcp_tls_options *client, *server;
};

static struct tls_opts tls_opts_make(const char *dir, const char *cert, const char *key) {
    char *ca = read_text(dir, "ca.pem"), *c = read_text(dir, cert), *k = read_text(dir, key);
    struct tls_opts o = {sptcp_tls_options_client(ca, NULL), sptcp_tls_options_server(k, c)};
    if (!o.client || !o.server) die("tls options");
    free(ca);
    free(c);
    free(k);
    return o;
}

static void tls_opts_free(struct tls_opts *o) {
    sptcp_tls_options_free(o->client);
    sptcp_tls_options_free(o->server);
}

/* A connected TCP pair wrapped in TLS: client and server, handshake done
 * (both driven in turn by this thread). */
static void tls_wrap(sptcp_peer *c_tcp, sptcp_peer *s_tcp, const struct tls_opts *o, sptcp_peer **c, sptcp_peer **s) {
    *c = sptcp_tls_new();
    *s = sptcp_tls_new();
    if (sptcp_tls_connect_to_stream(*c, c_tcp, "localhost", o->client) != SPTCP_OK) die("tls connect");
    if (sptcp_tls_accept_stream(*s, s_tcp, o->server) != SPTCP_OK) die("tls accept");
    for (;;) {
        sptcp_tls_poll(*c);
        sptcp_tls_poll(*s);
        sptcp_tls_status a = sptcp_tls_get_status(*c), b = sptcp_tls_get_status(*s);
        if (a == SPTCP_TLS_STATUS_CONNECTED && b == SPTCP_TLS_STATUS_CONNECTED) return;
        if (a >= SPTCP_TLS_STATUS_ERROR || b >= SPTCP_TLS_STATUS_ERROR || a == SPTCP_TLS_STATUS_DISCONNECTED ||
            b == SPTCP_TLS_STATUS_DISCONNECTED) {
            die("tls handshake");
        }
    }
}

static void tls_bulk_sptcp(const char *dir, size_t total) {
    struct tls_opts o = tls_opts_make(dir, "server-ec.pem", "server-ec.key");
    struct pair p = {"sptcp", 0, 0, 0, NULL, NULL, NULL};
    open_pair(&p, 0);
    sptcp_peer *c, *s;
    tls_wrap(p.client, p.server, &o, &c, &s);
    p.client = c; /* the TLS peers own the TCP ones now */
    p.server = s;
    struct bulk_job j = {&p, total};
    static char buf[CHUNK];
    pthread_t t;
    double start = now_s();
    pthread_create(&t, NULL, bulk_sender, &j);
    for (size_t got = 0; got < total; got += CHUNK) {
        if (sptcp_get_data(s, (uint8_t *)buf, CHUNK, NULL) != SPTCP_OK) die("tls bulk recv");
    }
    double secs = now_s() - start;
    pthread_join(t, NULL);
    printf("RESULT tlsbulk sptcp throughput %.1f MiB/s\n", (double)(total >> 20) / secs);
    close_pair(&p);
    tls_opts_free(&o);
}

/* connect + accept + full handshake + one u32 + close, as churn does. */
static void tls_hs_sptcp(const char *figure, const char *dir, const char *cert, const char *key, size_t cycles) {
    struct tls_opts o = tls_opts_make(dir, cert, key);
    sptcp_server *l = sptcp_server_new();
    sptcp_server_listen(l, 0, "127.0.0.1");
    int port = sptcp_server_get_local_port(l);
    double start = now_s();
    for (size_t i = 0; i < cycles; i++) {
        sptcp_peer *c_tcp = sptcp_peer_new();
        if (sptcp_connect_to_host(c_tcp, "127.0.0.1", port) != SPTCP_OK) die("tls hs connect");
        sptcp_peer *s_tcp = sptcp_take(l), *c, *s;
        /* no Nagle: else the message after the client's Finished waits for the delayed ACK (40 ms) */
        sptcp_set_no_delay(c_tcp, true);
        sptcp_set_no_delay(s_tcp, true);
        tls_wrap(c_tcp, s_tcp, &o, &c, &s);
        uint32_t back = 0;
        if (sptcp_put_u32(c, (uint32_t)i) != SPTCP_OK || sptcp_get_u32(s, &back) != SPTCP_OK || back != (uint32_t)i) die("tls hs message");
        sptcp_peer_free(s); /* close_notify, then closes the stream: server side first, as churn */
        sptcp_peer_free(c);
    }
    printf("RESULT %s sptcp rate %.1f conn/s\n", figure, (double)cycles / (now_s() - start));
    sptcp_server_free(l);
    tls_opts_free(&o);
}

/* The library's client against OpenSSL's server with OpenSSL's defaults
 * (it follows the client's order): what the library picks. */
static void tls_info(const char *dir) {
#ifdef HAVE_OPENSSL
    const char *keys[2][3] = {{"ec", "server-ec.pem", "server-ec.key"}, {"rsa", "server.pem", "server.key"}};
    char *ca = read_text(dir, "ca.pem");
    sptcp_tls_options *copts = sptcp_tls_options_client(ca, NULL);
    free(ca);
    if (!copts) die("tls options");
    for (int k = 0; k < 2; k++) {
        int port = ossl_info_server_start(dir, keys[k][1], keys[k][2]);
        sptcp_peer *tcp = sptcp_peer_new(), *tls = sptcp_tls_new();
        if (sptcp_connect_to_host(tcp, "127.0.0.1", port) != SPTCP_OK) die("tlsinfo connect");
        if (sptcp_tls_connect_to_stream(tls, tcp, "localhost", copts) != SPTCP_OK) die("tlsinfo tls connect");
        while (sptcp_tls_get_status(tls) == SPTCP_TLS_STATUS_HANDSHAKING) {
            sptcp_tls_poll(tls);
            usleep(100);
        }
        if (sptcp_tls_get_status(tls) != SPTCP_TLS_STATUS_CONNECTED || sptcp_put_u32(tls, 1) != SPTCP_OK) die("tlsinfo handshake");
        const char *text = ossl_info_server_finish();
        printf("INFO tlsinfo sptcp %s key=%s\n", text, keys[k][0]);
        sptcp_peer_free(tls);
    }
    sptcp_tls_options_free(copts);
#else
    (void)dir;
    printf("SKIPPED tlsinfo: built without OpenSSL (libssl-dev)\n");
#endif
}

static int run_tls(const char *fig, const char *impl, long amount, const char *keyarg) {
    const char *dir = getenv("SPTCP_BENCH_CERTS");
    if (!dir || !*dir) {
        printf("SKIPPED %s %s: no certificates (SPTCP_BENCH_CERTS; openssl CLI missing?)\n", fig, impl);
        return 0;
    }
    if (strcmp(fig, "tlsinfo") == 0) {
        tls_info(dir);
        return 0;
    }
    int bulk = strcmp(fig, "tlsbulk") == 0;
    int rsa = keyarg && strcmp(keyarg, "rsa") == 0;
    const char *cert = rsa ? "server.pem" : "server-ec.pem", *key = rsa ? "server.key" : "server-ec.key";
    const char *figure = bulk ? "tlsbulk" : rsa ? "tlshsrsa" : "tlshs";
    size_t total = (size_t)(amount ? amount : 64) << 20, cycles = (size_t)(amount ? amount : 1000);
    if (strcmp(impl, "sptcp") == 0) {
        if (bulk) tls_bulk_sptcp(dir, total);
        else tls_hs_sptcp(figure, dir, cert, key, cycles);
    } else if (strcmp(impl, "plain") == 0) {
        if (bulk) {
            bulk_blocking_as("tlsbulk", "plain", "sptcp", 0, total);
        } else {
            churn_as(figure, "plain", "sptcp", cycles);
        }
    } else if (strcmp(impl, "openssl") == 0) {
#ifdef HAVE_OPENSSL
        if (bulk) ossl_tlsbulk(dir, total);
        else ossl_tlshs(figure, dir, cert, key, cycles);
#else
        printf("SKIPPED %s openssl: built without OpenSSL (libssl-dev)\n", figure);
#endif
    } else {
        fprintf(stderr, "bench: %s: implementation sptcp, openssl or plain\n", fig);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN); /* only for the raw and SDL peers; the library needs none */
    if (argc == 2 && strcmp(argv[1], "pyserver") == 0) {
        pyserver();
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: bench bulk|pingpong|udsbulk|udspingpong|churn|idle|groupwait|groupecho|var|tlsbulk|tlshs|tlsinfo impl [amount [rounds]]\n"
                        "       bench pyserver\n");
        return 2;
    }
    const char *fig = argv[1], *impl = argv[2];
    long amount = argc > 3 ? atol(argv[3]) : 0;
    int side = strcmp(impl, "raw+sptcp") == 0; /* both in one process, alternating segments */
    if (strcmp(fig, "pyserver") == 0) {
        pyserver();
    } else if (strcmp(fig, "bulk") == 0) {
        size_t total = (size_t)(amount ? amount : 1024) << 20;
        if (side) bulk_side("bulk", 0, total);
        else if (!strcmp(impl, "raw") || !strcmp(impl, "sptcp")) bulk_blocking("bulk", impl, 0, total);
#ifdef HAVE_LIBUV
        else if (!strcmp(impl, "libuv")) run_libuv(0, total);
#endif
#ifdef HAVE_SDL2NET
        else if (!strcmp(impl, "sdl2net")) run_sdl2net(0, total);
#endif
        else { printf("SKIPPED bulk %s not built\n", impl); }
    } else if (strcmp(fig, "pingpong") == 0) {
        size_t n = (size_t)(amount ? amount : 100000);
        if (side) pingpong_side("pingpong", 0, n);
        else if (!strcmp(impl, "raw") || !strcmp(impl, "sptcp")) pingpong_blocking("pingpong", impl, 0, n);
#ifdef HAVE_LIBUV
        else if (!strcmp(impl, "libuv")) run_libuv(1, n);
#endif
#ifdef HAVE_SDL2NET
        else if (!strcmp(impl, "sdl2net")) run_sdl2net(1, n);
#endif
        else { printf("SKIPPED pingpong %s not built\n", impl); }
    } else if (strcmp(fig, "udsbulk") == 0 || strcmp(fig, "udspingpong") == 0) {
        int bulk = strcmp(fig, "udsbulk") == 0;
        if (strcmp(impl, "raw") && strcmp(impl, "sptcp") && !side) {
            fprintf(stderr, "bench: %s: implementation raw, sptcp or raw+sptcp\n", fig);
            return 2;
        }
        size_t total = (size_t)(amount ? amount : 1024) << 20, n = (size_t)(amount ? amount : 100000);
        if (bulk && side) bulk_side(fig, 1, total);
        else if (bulk) bulk_blocking(fig, impl, 1, total);
        else if (side) pingpong_side(fig, 1, n);
        else pingpong_blocking(fig, impl, 1, n);
        uds_cleanup();
    } else if (strcmp(fig, "churn") == 0) {
        if (side) churn_side((size_t)(amount ? amount : 2000));
        else churn(impl, (size_t)(amount ? amount : 2000));
    } else if (strcmp(fig, "idle") == 0) {
        idle((size_t)(amount ? amount : 1000));
    } else if (strcmp(fig, "groupwait") == 0) {
        groupwait((size_t)(amount ? amount : 10000));
    } else if (strcmp(fig, "groupecho") == 0) {
        long rounds = argc > 4 ? atol(argv[4]) : 0;
        groupecho(impl, (size_t)(amount ? amount : 10000), (size_t)(rounds > 0 ? rounds : 1000));
    } else if (strcmp(fig, "var") == 0) {
        var_rt((size_t)(amount ? amount : 20000));
    } else if (strncmp(fig, "tls", 3) == 0 && (!strcmp(fig, "tlsbulk") || !strcmp(fig, "tlshs") || !strcmp(fig, "tlsinfo"))) {
        return run_tls(fig, impl, amount, argc > 4 ? argv[4] : NULL);
    } else {
        fprintf(stderr, "bench: unknown figure %s\n", fig);
        return 2;
    }
    return 0;
}
