/* An echo server for thousands of clients on one poll group: the listening
 * server and every connection are members of one sptcp_group, and one
 * thread serves them all with sptcp_group_wait.
 *
 *   group_echo_server [port]          serve on 127.0.0.1:port (0, the
 *                                     default, picks a free port) until
 *                                     SIGINT / SIGTERM
 *   group_echo_server --selftest N    serve N client threads (raw sockets)
 *                                     that each send a few messages and
 *                                     check the echo; exit 0 only when all
 *                                     were answered
 *
 * How it serves:
 *  - ACCEPTABLE on the server: take every waiting connection and add it to
 *    the group for READABLE.
 *  - READABLE: read what is there (sptcp_get_partial_data, never waits) and
 *    send it back with sptcp_put_partial_data. What the socket does not take
 *    now is kept and the client waits for WRITABLE instead of READABLE until
 *    it is sent (so a client that does not read cannot stall the others).
 *  - HANGUP / ERROR (and the end of the stream or a failed read or write):
 *    free the peer, which also takes it out of the group.
 * Loopback only. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "streampeer_tcp.h"

#define EVENTS 256          /* events per wait */
#define READ_CHUNK 16384    /* bytes read per READABLE event */
#define MESSAGES 3          /* self-test: messages per client */
#define MAX_MESSAGE 1200    /* self-test: longest message */
#define CONNECTS_AT_ONCE 8  /* self-test: the server's backlog is 8 */
#define DEADLINE_S 60       /* self-test: give up after this long */

/* ---- the server ---------------------------------------------------------- */

struct client {
    struct client *prev, *next; /* every client, to free them at the end */
    sptcp_peer *peer;
    uint8_t *pending; /* bytes not sent yet (NULL: none) */
    size_t len, off;
};

struct server {
    sptcp_server *listener;
    sptcp_group *group;
    struct client *clients;
    size_t connected, most_connected;
    unsigned long long accepted, dropped, bytes;
};

static char listener_tag; /* the listener's user_data */

static void fail(const char *what, sptcp_error err) {
    fprintf(stderr, "group_echo_server: %s: %s (%s)\n", what, sptcp_error_name(err), sptcp_last_error_message());
    exit(1);
}

static void drop(struct server *s, struct client *c) {
    sptcp_peer_free(c->peer); /* leaves the group */
    if (c->prev) c->prev->next = c->next;
    else s->clients = c->next;
    if (c->next) c->next->prev = c->prev;
    free(c->pending);
    free(c);
    s->connected--;
    s->dropped++;
}

static void accept_all(struct server *s) {
    sptcp_peer *p;
    while ((p = sptcp_server_take_connection(s->listener)) != NULL) {
        struct client *c = calloc(1, sizeof *c);
        if (!c) {
            sptcp_peer_free(p);
            continue;
        }
        c->peer = p;
        c->next = s->clients;
        if (c->next) c->next->prev = c;
        s->clients = c;
        sptcp_set_no_delay(p, true);
        sptcp_error err = sptcp_group_add_peer(s->group, p, SPTCP_EVENT_READABLE, c);
        if (err != SPTCP_OK) fail("group_add_peer", err);
        s->accepted++;
        if (++s->connected > s->most_connected) s->most_connected = s->connected;
    }
}

/* Sends what it can of `data`; keeps the rest and waits for WRITABLE.
 * 0 when the connection failed. */
static int send_or_keep(struct server *s, struct client *c, const uint8_t *data, size_t len) {
    size_t sent = 0;
    if (sptcp_put_partial_data(c->peer, data, len, &sent) != SPTCP_OK) return 0;
    s->bytes += sent;
    if (sent == len) return 1;
    c->pending = malloc(len - sent);
    if (!c->pending) return 0;
    memcpy(c->pending, data + sent, len - sent);
    c->len = len - sent;
    c->off = 0;
    return sptcp_group_set_interest(s->group, c->peer, SPTCP_EVENT_WRITABLE) == SPTCP_OK;
}

/* 0 when the client is gone. */
static int on_readable(struct server *s, struct client *c) {
    static uint8_t buf[READ_CHUNK];
    size_t got = 0;
    sptcp_error err = sptcp_get_partial_data(c->peer, buf, sizeof buf, &got);
    if (err != SPTCP_OK) return 0; /* SPTCP_ERR_FILE_EOF: closed and read to the end */
    return got == 0 || send_or_keep(s, c, buf, got);
}

static int on_writable(struct server *s, struct client *c) {
    size_t sent = 0;
    if (sptcp_put_partial_data(c->peer, c->pending + c->off, c->len - c->off, &sent) != SPTCP_OK) return 0;
    s->bytes += sent;
    c->off += sent;
    if (c->off < c->len) return 1;
    free(c->pending);
    c->pending = NULL;
    return sptcp_group_set_interest(s->group, c->peer, SPTCP_EVENT_READABLE) == SPTCP_OK;
}

static void serve_once(struct server *s, int timeout_ms) {
    sptcp_event ev[EVENTS];
    size_t n = 0;
    sptcp_error err = sptcp_group_wait(s->group, timeout_ms, ev, EVENTS, &n);
    if (err != SPTCP_OK) fail("group_wait", err);
    for (size_t i = 0; i < n; i++) {
        if (ev[i].user_data == &listener_tag) {
            accept_all(s);
            continue;
        }
        struct client *c = ev[i].user_data;
        uint32_t e = ev[i].events;
        int alive;
        if (c->pending) {
            alive = !(e & SPTCP_EVENT_ERROR) && (!(e & SPTCP_EVENT_WRITABLE) || on_writable(s, c));
            /* Closed and nothing more can be sent now: give up on it. */
            if (alive && (e & SPTCP_EVENT_HANGUP) && !(e & SPTCP_EVENT_WRITABLE)) alive = 0;
        } else if (e & SPTCP_EVENT_READABLE) {
            /* Bytes (or the end of the stream) first, also after a HANGUP:
             * the client may have closed right after its last message. */
            alive = on_readable(s, c);
        } else {
            alive = !(e & (SPTCP_EVENT_HANGUP | SPTCP_EVENT_ERROR));
        }
        if (!alive) drop(s, c);
    }
}

static void server_open(struct server *s, int port) {
    memset(s, 0, sizeof *s);
    s->listener = sptcp_server_new();
    s->group = sptcp_group_new();
    if (!s->listener || !s->group) fail("new", SPTCP_ERR_OUT_OF_MEMORY);
    sptcp_error err = sptcp_server_listen(s->listener, port, "127.0.0.1");
    if (err != SPTCP_OK) fail("listen", err);
    err = sptcp_group_add_server(s->group, s->listener, &listener_tag);
    if (err != SPTCP_OK) fail("group_add_server", err);
    printf("group_echo_server: listening on 127.0.0.1:%d (streampeer_tcp %s)\n", sptcp_server_get_local_port(s->listener),
           sptcp_version());
    fflush(stdout);
}

/* Frees the clients still connected, the listener and the group. */
static void server_close(struct server *s) {
    while (s->clients) drop(s, s->clients);
    sptcp_server_free(s->listener); /* leaves the group */
    sptcp_group_free(s->group);
}

/* Descriptors for `want` sockets: raise the soft limit up to the hard one. */
static int raise_nofile(rlim_t want) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl)) return -1;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
        if (setrlimit(RLIMIT_NOFILE, &rl)) return -1;
    }
    return rl.rlim_cur >= want ? 0 : -1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- serve until a signal ------------------------------------------------ */

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static int serve_forever(int port) {
    raise_nofile(65536); /* as many as the hard limit allows */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct server s;
    server_open(&s, port);
    while (!stop) serve_once(&s, 500);
    printf("group_echo_server: %llu connections, %llu bytes echoed, up to %zu at once\n", s.accepted, s.bytes,
           s.most_connected);
    server_close(&s);
    return 0;
}

/* ---- the self-test ------------------------------------------------------- */

struct selftest {
    int port;
    sem_t connects;            /* connections not yet answered by the server */
    pthread_barrier_t all_in;  /* every client connected (or failed) */
    atomic_int answered;       /* clients that got every echo right */
    atomic_int finished;       /* client threads done */
    atomic_ullong messages;
};

struct client_job {
    struct selftest *t;
    int id;
};

static int send_all(int fd, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int recv_all(int fd, uint8_t *p, size_t n) {
    while (n) {
        ssize_t k = recv(fd, p, n, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1; /* also the 10 s receive timeout */
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Message `m` of client `id`: its text, then filler up to a length that
 * differs between clients and messages (up to MAX_MESSAGE bytes). */
static size_t make_message(uint8_t *buf, int id, int m) {
    int n = snprintf((char *)buf, MAX_MESSAGE, "client %d message %d|", id, m);
    size_t len = (size_t)n + (size_t)((id * 131 + m * 977) % (MAX_MESSAGE - 64));
    for (size_t i = (size_t)n; i < len; i++) buf[i] = (uint8_t)('a' + (i + (size_t)id) % 26);
    return len;
}

static int exchange(int fd, int id, int m, atomic_ullong *messages) {
    uint8_t out[MAX_MESSAGE], back[MAX_MESSAGE];
    size_t len = make_message(out, id, m);
    if (send_all(fd, out, len) || recv_all(fd, back, len) || memcmp(out, back, len)) return -1;
    atomic_fetch_add(messages, 1);
    return 0;
}

static void *client_main(void *arg) {
    struct client_job *j = arg;
    struct selftest *t = j->t;
    int ok = 0, fd = socket(AF_INET, SOCK_STREAM, 0);
    /* Connect and get the first echo (which proves the server took the
     * connection) with few clients at once, so that the listen queue
     * never overflows (an overflow costs a 1 s SYN retry). */
    sem_wait(&t->connects);
    if (fd >= 0) {
        struct timeval tv = {10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)t->port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && exchange(fd, j->id, 0, &t->messages) == 0;
    }
    sem_post(&t->connects);
    /* All clients are connected now: the group holds N + 1 members. */
    pthread_barrier_wait(&t->all_in);
    for (int m = 1; ok && m < MESSAGES; m++) ok = exchange(fd, j->id, m, &t->messages) == 0;
    if (fd >= 0) close(fd);
    if (ok) atomic_fetch_add(&t->answered, 1);
    atomic_fetch_add(&t->finished, 1);
    return NULL;
}

static int selftest(int n) {
    if (n < 1 || n > 100000) {
        fprintf(stderr, "group_echo_server: --selftest N: N from 1 to 100000\n");
        return 2;
    }
    /* Both ends of every connection live in this process. */
    if (raise_nofile((rlim_t)n * 2 + 64)) {
        fprintf(stderr, "group_echo_server: --selftest %d needs %d descriptors (RLIMIT_NOFILE)\n", n, n * 2 + 64);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* for the raw client sockets; the library needs none */
    struct server s;
    server_open(&s, 0);
    static struct selftest t; /* atomics zero-initialised */
    t.port = sptcp_server_get_local_port(s.listener);
    sem_init(&t.connects, 0, CONNECTS_AT_ONCE);
    pthread_barrier_init(&t.all_in, NULL, (unsigned)n);
    pthread_t *threads = calloc((size_t)n, sizeof *threads);
    struct client_job *jobs = calloc((size_t)n, sizeof *jobs);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 128 * 1024);
    double start = now_s();
    int started = 0;
    for (; started < n; started++) {
        jobs[started] = (struct client_job){&t, started};
        if (pthread_create(&threads[started], &attr, client_main, &jobs[started])) break;
    }
    if (started < n) {
        fprintf(stderr, "group_echo_server: could start only %d client threads\n", started);
        _exit(1); /* the others wait at the barrier */
    }
    int timed_out = 0;
    while (atomic_load(&t.finished) < n || s.connected > 0) {
        serve_once(&s, 100);
        if (now_s() - start > DEADLINE_S) {
            timed_out = 1;
            break;
        }
    }
    double secs = now_s() - start;
    int answered = atomic_load(&t.answered);
    int ok = !timed_out && answered == n && s.accepted == (unsigned long long)n && sptcp_group_size(s.group) == 1;
    printf("group_echo_server: selftest %s: %d of %d clients answered, %llu messages (%llu bytes) echoed, "
           "up to %zu connected at once, %.2f s\n",
           ok ? "passed" : "FAILED", answered, n, (unsigned long long)atomic_load(&t.messages), s.bytes,
           s.most_connected, secs);
    if (timed_out) {
        printf("group_echo_server: selftest timed out after %d s\n", DEADLINE_S);
        fflush(stdout);
        _exit(1);
    }
    for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
    pthread_attr_destroy(&attr);
    pthread_barrier_destroy(&t.all_in);
    sem_destroy(&t.connects);
    free(threads);
    free(jobs);
    server_close(&s);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "--selftest") == 0) return selftest(argc > 2 ? atoi(argv[2]) : 2000);
    if (argc > 1 && (argv[1][0] < '0' || argv[1][0] > '9')) {
        fprintf(stderr, "usage: group_echo_server [port] | --selftest N\n");
        return 2;
    }
    return serve_forever(argc > 1 ? atoi(argv[1]) : 0);
}
