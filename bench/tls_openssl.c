/* The OpenSSL peers of the TLS figures (bench/bench.c calls them; built
 * only when pkg-config finds openssl, see bench/build.sh). They do what the
 * library's side of each figure does, with libssl directly:
 *
 *   ossl_tlsbulk        TLS bulk over loopback TCP: blocking SSL_write of
 *                       64 KiB chunks in a thread, blocking SSL_read of
 *                       64 KiB in the caller's thread
 *   ossl_tlshs          connect + accept + full handshake + one u32 +
 *                       close_notify + close, per cycle, one thread,
 *                       non-blocking sockets, client and server driven in turn
 *   ossl_info_server_*  an OpenSSL server with OpenSSL's default settings,
 *                       to learn what the library's client negotiates
 *
 * Settings, so that both sides do the same work as the library (rustls):
 * TLS 1.3, the suite rustls picks by default (TLS_AES_256_GCM_SHA384: its
 * ring provider lists it first, and a rustls server follows the client's
 * order; `bench tlsinfo` checks it), key exchange X25519 (rustls' first
 * group), the client verifies the chain against the CA and the name
 * "localhost" (SNI sent), no session tickets and no session cache (the
 * library's server sends no tickets, its client resumes nothing then), one
 * close_notify per side when a connection ends (as freeing a connected
 * TLS peer does). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define CHUNK (64 * 1024)
#define SUITE "TLS_AES_256_GCM_SHA384"
#define GROUPS "X25519"

static double ossl_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ossl_die(const char *what) {
    fprintf(stderr, "bench (openssl): %s: %s\n", what, strerror(errno));
    ERR_print_errors_fp(stderr);
    exit(1);
}

/* bench.c's loopback listener and connect. */
int raw_listener(int *port);
int raw_connect(int port);

static void set_nonblock(int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void path_of(char *out, size_t cap, const char *dir, const char *name) {
    if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap) ossl_die("certificate path too long");
}

/* pinned: the suite and group of the comparison; else OpenSSL's defaults. */
static SSL_CTX *server_ctx(const char *dir, const char *cert, const char *key, int pinned) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    char path[4096];
    path_of(path, sizeof path, dir, cert);
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, path) != 1) ossl_die("server certificate");
    path_of(path, sizeof path, dir, key);
    if (SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) != 1) ossl_die("server key");
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (pinned) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
        if (SSL_CTX_set_ciphersuites(ctx, SUITE) != 1 || SSL_CTX_set1_groups_list(ctx, GROUPS) != 1) ossl_die("server suite");
    }
    return ctx;
}

static SSL_CTX *client_ctx(const char *dir) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char path[4096];
    path_of(path, sizeof path, dir, "ca.pem");
    if (!ctx || SSL_CTX_load_verify_locations(ctx, path, NULL) != 1) ossl_die("client CA");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    if (SSL_CTX_set_ciphersuites(ctx, SUITE) != 1 || SSL_CTX_set1_groups_list(ctx, GROUPS) != 1) ossl_die("client suite");
    return ctx;
}

static SSL *client_ssl(SSL_CTX *ctx, int fd) {
    SSL *ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_set_tlsext_host_name(ssl, "localhost") != 1 || SSL_set1_host(ssl, "localhost") != 1) {
        ossl_die("client SSL");
    }
    return ssl;
}

static SSL *server_ssl(SSL_CTX *ctx, int fd) {
    SSL *ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1) ossl_die("server SSL");
    return ssl;
}

static void print_negotiated(const char *figure, SSL *ssl) {
    printf("INFO %s openssl %s %s group=%s\n", figure, SSL_get_version(ssl), SSL_get_cipher_name(ssl),
           OBJ_nid2sn(SSL_get_negotiated_group(ssl)));
}

/* ---- bulk ------------------------------------------------------------------ */

struct ossl_bulk_job {
    SSL *ssl;
    size_t total;
};

static void *ossl_bulk_sender(void *arg) {
    struct ossl_bulk_job *j = arg;
    static char chunk[CHUNK];
    for (size_t sent = 0; sent < j->total; sent += CHUNK) {
        if (SSL_write(j->ssl, chunk, CHUNK) != CHUNK) ossl_die("SSL_write");
    }
    return NULL;
}

struct ossl_accept_job {
    SSL *ssl;
};

static void *ossl_acceptor(void *arg) {
    struct ossl_accept_job *j = arg;
    if (SSL_accept(j->ssl) != 1) ossl_die("SSL_accept");
    return NULL;
}

void ossl_tlsbulk(const char *dir, size_t total) {
    SSL_CTX *sctx = server_ctx(dir, "server-ec.pem", "server-ec.key", 1), *cctx = client_ctx(dir);
    int port;
    int l = raw_listener(&port);
    int cfd = raw_connect(port);
    int sfd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    close(l);
    if (sfd < 0) ossl_die("accept");
    SSL *c = client_ssl(cctx, cfd), *s = server_ssl(sctx, sfd);
    struct ossl_accept_job aj = {s};
    pthread_t t;
    pthread_create(&t, NULL, ossl_acceptor, &aj);
    if (SSL_connect(c) != 1) ossl_die("SSL_connect");
    pthread_join(t, NULL);
    print_negotiated("tlsbulk", c);
    struct ossl_bulk_job j = {c, total};
    static char buf[CHUNK];
    double start = ossl_now();
    pthread_create(&t, NULL, ossl_bulk_sender, &j);
    for (size_t got = 0; got < total; got += CHUNK) {
        /* SSL_read gives at most one record (16 KiB): fill the 64 KiB block */
        for (int have = 0; have < CHUNK;) {
            int k = SSL_read(s, buf + have, CHUNK - have);
            if (k <= 0) ossl_die("SSL_read");
            have += k;
        }
    }
    double secs = ossl_now() - start;
    pthread_join(t, NULL);
    printf("RESULT tlsbulk openssl throughput %.1f MiB/s\n", (double)(total >> 20) / secs);
    SSL_shutdown(s);
    SSL_shutdown(c);
    SSL_free(s);
    SSL_free(c);
    close(sfd);
    close(cfd);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ---- handshakes ------------------------------------------------------------- */

/* One step of a non-blocking handshake: 1 done, 0 wants more, dies on errors. */
static int hs_step(SSL *ssl, int *done, const char *what) {
    if (*done) return 1;
    int r = SSL_do_handshake(ssl);
    if (r == 1) return *done = 1;
    int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ossl_die(what);
    return 0;
}

void ossl_tlshs(const char *figure, const char *dir, const char *cert, const char *key, size_t cycles) {
    SSL_CTX *sctx = server_ctx(dir, cert, key, 1), *cctx = client_ctx(dir);
    int port;
    int l = raw_listener(&port);
    double start = ossl_now();
    for (size_t i = 0; i < cycles; i++) {
        int cfd = raw_connect(port);
        int sfd = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (sfd < 0) ossl_die("accept");
        set_nonblock(cfd);
        int one = 1; /* as the library's side: no Nagle (the message after Finished) */
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        SSL *c = client_ssl(cctx, cfd), *s = server_ssl(sctx, sfd);
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        int cdone = 0, sdone = 0;
        while (!(hs_step(c, &cdone, "client handshake") & hs_step(s, &sdone, "server handshake"))) {
        }
        if (i == 0) print_negotiated(figure, c);
        uint32_t v = (uint32_t)i, back = 0;
        if (SSL_write(c, &v, 4) != 4) ossl_die("SSL_write");
        for (;;) {
            int k = SSL_read(s, &back, 4);
            if (k == 4) break;
            if (k <= 0 && SSL_get_error(s, k) != SSL_ERROR_WANT_READ) ossl_die("SSL_read");
            if (k > 0) ossl_die("short SSL_read");
        }
        if (back != v) ossl_die("handshake message mismatch");
        /* as the library: the server side first, one close_notify each */
        SSL_shutdown(s);
        SSL_free(s);
        close(sfd);
        SSL_shutdown(c);
        SSL_free(c);
        close(cfd);
    }
    printf("RESULT %s openssl rate %.1f conn/s\n", figure, (double)cycles / (ossl_now() - start));
    close(l);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ---- what the library's client negotiates ----------------------------------- */

struct ossl_info {
    SSL_CTX *ctx;
    int listener;
    pthread_t thread;
    char text[256];
};

static void *ossl_info_serve(void *arg) {
    struct ossl_info *inf = arg;
    int fd = accept4(inf->listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) ossl_die("info accept");
    SSL *s = server_ssl(inf->ctx, fd);
    if (SSL_accept(s) != 1) ossl_die("info SSL_accept");
    uint32_t v;
    if (SSL_read(s, &v, 4) != 4) ossl_die("info SSL_read");
    int sig = 0;
    SSL_get_signature_type_nid(s, &sig);
    snprintf(inf->text, sizeof inf->text, "%s %s group=%s signature=%s", SSL_get_version(s), SSL_get_cipher_name(s),
             OBJ_nid2sn(SSL_get_negotiated_group(s)), sig ? OBJ_nid2sn(sig) : "?");
    SSL_shutdown(s);
    SSL_free(s);
    close(fd);
    return NULL;
}

static struct ossl_info info;

/* Starts an OpenSSL server (its default suites and groups, which follow
 * the client's order) for one connection; returns its port. */
int ossl_info_server_start(const char *dir, const char *cert, const char *key) {
    info.ctx = server_ctx(dir, cert, key, 0);
    int port;
    info.listener = raw_listener(&port);
    pthread_create(&info.thread, NULL, ossl_info_serve, &info);
    return port;
}

/* Waits for that connection to end; returns what was negotiated. */
const char *ossl_info_server_finish(void) {
    pthread_join(info.thread, NULL);
    close(info.listener);
    SSL_CTX_free(info.ctx);
    return info.text;
}
