/* StreamPeerTLS (c-api.md §10) on loopback, our client against our server:
 * handshakes over TCP (also while the TCP connect still runs) and Unix
 * domain sockets, the data API on the plaintext, verification failures
 * (unknown issuer, expired, wrong name), client_unsafe, close_notify both
 * ways, a TCP close without close_notify, and the argument rules.
 * Certificates are made by c-tests/tls_certs.sh (the openssl CLI) into a
 * directory of this run; without openssl the test says so and stops. */
#include "check.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[128];
/* The first failure message of the first peer in `handshake`. */
static char first_msg[512];

static char *slurp(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    static char *bufs[16];
    static int next;
    char *b = calloc(1, 64 * 1024);
    size_t n = fread(b, 1, 64 * 1024 - 1, f);
    b[n] = 0;
    fclose(f);
    free(bufs[next % 16]);
    bufs[next++ % 16] = b;
    return b;
}

/* Polls both TLS peers until neither is HANDSHAKING (or 10 s). */
static void handshake(sptcp_peer *a, sptcp_peer *b, sptcp_error *ea, sptcp_error *eb) {
    long long end = now_ms() + 10000;
    *ea = *eb = SPTCP_OK;
    first_msg[0] = 0;
    while ((sptcp_tls_get_status(a) == SPTCP_TLS_STATUS_HANDSHAKING ||
            (b && sptcp_tls_get_status(b) == SPTCP_TLS_STATUS_HANDSHAKING)) &&
           now_ms() < end) {
        sptcp_error e = sptcp_tls_poll(a);
        if (e != SPTCP_OK && *ea == SPTCP_OK) {
            *ea = e;
            snprintf(first_msg, sizeof first_msg, "%s", sptcp_last_error_message());
        }
        if (b) {
            e = sptcp_tls_poll(b);
            if (e != SPTCP_OK) {
                *eb = e;
            }
        }
        sleep_ms(1);
    }
}

/* A TLS client and server over a fresh TCP pair of `s`. */
static void tls_pair(sptcp_server *s, const sptcp_tls_options *client, const char *name,
                     const sptcp_tls_options *server, sptcp_peer **c, sptcp_peer **a) {
    sptcp_peer *tc, *ta;
    NEED(connect_pair(s, &tc, &ta) == 0);
    *c = sptcp_tls_new();
    *a = sptcp_tls_new();
    CHECK_EQ(sptcp_tls_connect_to_stream(*c, tc, name, client), SPTCP_OK);
    CHECK_EQ(sptcp_tls_accept_stream(*a, ta, server), SPTCP_OK);
    CHECK(sptcp_tls_get_stream(*c) == tc);
    CHECK_EQ(sptcp_tls_get_status(*c), SPTCP_TLS_STATUS_HANDSHAKING);
}

static sptcp_tls_options *server_opts(const char *cert, const char *key) {
    sptcp_tls_options *o = sptcp_tls_options_server(slurp(key), slurp(cert));
    NEED(o != NULL);
    return o;
}

static void options_and_arguments(void) {
    CHECK(sptcp_tls_options_client("not PEM", NULL) == NULL);
    CHECK(strstr(sptcp_last_error_message(), "PEM") != NULL);
    CHECK(sptcp_tls_options_server(NULL, NULL) == NULL);
    CHECK(sptcp_tls_options_server(slurp("server.key"), "junk") == NULL);
    CHECK(sptcp_tls_options_server("junk", slurp("server.pem")) == NULL);
    sptcp_tls_options_free(NULL);
    sptcp_tls_options *def = sptcp_tls_options_client(NULL, NULL);
    CHECK(def != NULL);
    sptcp_tls_options *srv = server_opts("server.pem", "server.key");

    sptcp_peer *t = sptcp_tls_new();
    CHECK_EQ(sptcp_tls_get_status(t), SPTCP_TLS_STATUS_DISCONNECTED);
    CHECK(sptcp_tls_get_stream(t) == NULL);
    uint8_t byte = 7;
    CHECK_EQ(sptcp_put_data(t, &byte, 1), SPTCP_ERR_UNCONFIGURED);
    CHECK_EQ(sptcp_put_data(t, NULL, 0), SPTCP_OK);
    size_t got = 9;
    CHECK_EQ(sptcp_get_partial_data(t, &byte, 1, &got), SPTCP_ERR_UNCONFIGURED);
    CHECK_EQ(got, 0u);
    CHECK_EQ(sptcp_tls_poll(t), SPTCP_OK);
    /* The socket calls are not for TLS peers. */
    CHECK_EQ(sptcp_poll(t), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_get_status(t), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_connect_to_host(t, "127.0.0.1", 1), SPTCP_ERR_UNAVAILABLE);
    /* Wrong options, NULLs and itself: the stream stays the caller's. */
    sptcp_peer *b = sptcp_buffer_new();
    CHECK_EQ(sptcp_tls_connect_to_stream(t, b, "localhost", srv), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_accept_stream(t, b, def), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_accept_stream(t, b, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_connect_to_stream(t, b, NULL, def), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_connect_to_stream(t, b, "not a name!", def), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_connect_to_stream(t, t, "localhost", def), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_connect_to_stream(NULL, b, "localhost", def), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_connect_to_stream(t, NULL, "localhost", def), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_connect_to_stream(b, t, "localhost", def), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_put_u8(b, 1), SPTCP_OK); /* still the caller's, alive */
    CHECK_EQ(sptcp_tls_get_status(t), SPTCP_TLS_STATUS_DISCONNECTED);
    CHECK_EQ(sptcp_tls_get_status(NULL), SPTCP_TLS_STATUS_DISCONNECTED);
    CHECK_EQ(sptcp_tls_get_status(b), SPTCP_TLS_STATUS_DISCONNECTED);
    CHECK(sptcp_tls_get_stream(NULL) == NULL);
    CHECK_EQ(sptcp_tls_poll(NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_tls_poll(b), SPTCP_ERR_UNAVAILABLE);
    sptcp_tls_disconnect_from_stream(NULL);
    sptcp_tls_disconnect_from_stream(b);
    /* A buffer is a stream too (nothing answers on it). */
    CHECK_EQ(sptcp_tls_connect_to_stream(t, b, "localhost", NULL), SPTCP_OK);
    CHECK(sptcp_tls_get_stream(t) == b);
    sptcp_tls_disconnect_from_stream(t);
    CHECK(sptcp_tls_get_stream(t) == NULL);
    sptcp_peer_free(t);
    sptcp_tls_options_free(def);
    sptcp_tls_options_free(srv);
}

static void data_over_tcp(void) {
    sptcp_server *s = sptcp_server_new();
    NEED(start_server(s, "127.0.0.1") > 0);
    sptcp_tls_options *co = sptcp_tls_options_client(slurp("ca.pem"), NULL);
    sptcp_tls_options *so = server_opts("server.pem", "server.key");
    NEED(co != NULL);
    sptcp_peer *c, *a;
    tls_pair(s, co, "localhost", so, &c, &a);
    /* The options may go at once. */
    sptcp_tls_options_free(co);
    sptcp_tls_options_free(so);
    sptcp_error ec, ea;
    handshake(c, a, &ec, &ea);
    CHECK_EQ(sptcp_tls_get_status(c), SPTCP_TLS_STATUS_CONNECTED);
    CHECK_EQ(sptcp_tls_get_status(a), SPTCP_TLS_STATUS_CONNECTED);
    CHECK_EQ(ec, SPTCP_OK);
    CHECK_EQ(ea, SPTCP_OK);
    CHECK_EQ(sptcp_put_u32(c, 0xdeadbeefu), SPTCP_OK);
    CHECK_EQ(sptcp_put_utf8_string(c, "h\xc3\xa9llo"), SPTCP_OK);
    sptcp_variant *v = sptcp_variant_new_int(12345);
    CHECK_EQ(sptcp_put_var(c, v, false), SPTCP_OK);
    sptcp_variant_free(v);
    uint32_t u = 0;
    CHECK_EQ(sptcp_get_u32(a, &u), SPTCP_OK);
    CHECK_EQ(u, 0xdeadbeefu);
    CHECK(sptcp_get_available_bytes(a) > 0);
    char *text = NULL;
    size_t len = 0;
    CHECK_EQ(sptcp_get_utf8_string(a, -1, &text, &len), SPTCP_OK);
    CHECK_STR(text, "h\xc3\xa9llo");
    sptcp_string_free(text);
    sptcp_variant *back = NULL;
    CHECK_EQ(sptcp_get_var(a, false, &back), SPTCP_OK);
    int64_t i = 0;
    CHECK_EQ(sptcp_variant_get_int(back, &i), SPTCP_OK);
    CHECK_EQ(i, 12345);
    sptcp_variant_free(back);
    /* 256 KiB one way: more than one record and more than rustls buffers. */
    size_t big = 256 * 1024;
    uint8_t *out = malloc(big), *in = malloc(big);
    for (size_t k = 0; k < big; k++) {
        out[k] = (uint8_t)(k * 7 + 3);
    }
    CHECK_EQ(sptcp_put_data(a, out, big), SPTCP_OK);
    size_t got = 0;
    CHECK_EQ(sptcp_get_data(c, in, big, &got), SPTCP_OK);
    CHECK_EQ(got, big);
    CHECK(memcmp(in, out, big) == 0);
    free(out);
    free(in);
    /* Partial reads never block. */
    uint8_t one;
    got = 9;
    CHECK_EQ(sptcp_get_partial_data(c, &one, 1, &got), SPTCP_OK);
    CHECK_EQ(got, 0u);
    /* close_notify from the server, after a last value: the client reads
     * it, then is DISCONNECTED. */
    CHECK_EQ(sptcp_put_u16(a, 77), SPTCP_OK);
    sptcp_tls_disconnect_from_stream(a);
    CHECK_EQ(sptcp_tls_get_status(a), SPTCP_TLS_STATUS_DISCONNECTED);
    uint16_t w = 0;
    CHECK_EQ(sptcp_get_u16(c, &w), SPTCP_OK);
    CHECK_EQ(w, 77);
    long long end = now_ms() + 5000;
    while (sptcp_tls_get_status(c) == SPTCP_TLS_STATUS_CONNECTED && now_ms() < end) {
        sptcp_tls_poll(c);
        sleep_ms(1);
    }
    CHECK_EQ(sptcp_tls_get_status(c), SPTCP_TLS_STATUS_DISCONNECTED);
    CHECK(sptcp_tls_get_stream(c) == NULL);
    sptcp_peer_free(c);
    sptcp_peer_free(a);
    sptcp_server_free(s);
}

static void while_the_tcp_connect_runs_and_free_sends_close_notify(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    NEED(port > 0);
    sptcp_tls_options *co = sptcp_tls_options_client(slurp("ca.pem"), NULL);
    sptcp_tls_options *so = server_opts("server.pem", "server.key");
    sptcp_peer *tcp = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(tcp, "127.0.0.1", port), SPTCP_OK);
    sptcp_peer *c = sptcp_tls_new();
    CHECK_EQ(sptcp_tls_connect_to_stream(c, tcp, "127.0.0.1", co), SPTCP_OK);
    sptcp_peer *ta = take_within(s, 5000);
    NEED(ta != NULL);
    sptcp_peer *a = sptcp_tls_new();
    CHECK_EQ(sptcp_tls_accept_stream(a, ta, so), SPTCP_OK);
    sptcp_error ec, ea;
    handshake(c, a, &ec, &ea);
    CHECK_EQ(sptcp_tls_get_status(c), SPTCP_TLS_STATUS_CONNECTED); /* an IP in the SAN */
    CHECK_EQ(sptcp_tls_get_status(a), SPTCP_TLS_STATUS_CONNECTED);
    /* Freeing a connected peer sends close_notify: the server ends clean. */
    sptcp_peer_free(c);
    long long end = now_ms() + 5000;
    while (sptcp_tls_get_status(a) == SPTCP_TLS_STATUS_CONNECTED && now_ms() < end) {
        sptcp_tls_poll(a);
        sleep_ms(1);
    }
    CHECK_EQ(sptcp_tls_get_status(a), SPTCP_TLS_STATUS_DISCONNECTED);
    sptcp_peer_free(a);
    sptcp_tls_options_free(co);
    sptcp_tls_options_free(so);
    sptcp_server_free(s);
}

/* The client's status after a handshake with the server's `cert`. */
static sptcp_tls_status client_sees(const char *cert, const char *key, const sptcp_tls_options *co,
                                    const char *name, sptcp_error *err) {
    sptcp_server *s = sptcp_server_new();
    NEED(start_server(s, "127.0.0.1") > 0);
    sptcp_tls_options *so = server_opts(cert, key);
    sptcp_peer *c, *a;
    tls_pair(s, co, name, so, &c, &a);
    sptcp_error ea;
    handshake(c, a, err, &ea);
    sptcp_tls_status st = sptcp_tls_get_status(c);
    sptcp_peer_free(c);
    sptcp_peer_free(a);
    sptcp_tls_options_free(so);
    sptcp_server_free(s);
    return st;
}

static void verification(void) {
    sptcp_tls_options *ca = sptcp_tls_options_client(slurp("ca.pem"), NULL);
    sptcp_tls_options *roots = sptcp_tls_options_client(NULL, NULL);
    sptcp_tls_options *unsafe_ = sptcp_tls_options_client_unsafe(NULL);
    sptcp_tls_options *override = sptcp_tls_options_client(slurp("ca.pem"), "wrong.example");
    NEED(ca && roots && unsafe_ && override);
    sptcp_error e;
    CHECK_EQ(client_sees("server.pem", "server.key", roots, "localhost", &e), SPTCP_TLS_STATUS_ERROR);
    CHECK_EQ(e, SPTCP_FAILED);
    CHECK(strstr(first_msg, "UnknownIssuer") != NULL);
    CHECK_EQ(client_sees("expired.pem", "expired.key", ca, "localhost", &e), SPTCP_TLS_STATUS_ERROR);
    CHECK(strstr(first_msg, "xpired") != NULL);
    CHECK_EQ(client_sees("wrong.pem", "wrong.key", ca, "localhost", &e),
             SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH);
    CHECK_EQ(client_sees("server.pem", "server.key", ca, "other.example", &e),
             SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH);
    /* The override is the name checked. */
    CHECK_EQ(client_sees("wrong.pem", "wrong.key", override, "localhost", &e), SPTCP_TLS_STATUS_CONNECTED);
    CHECK_EQ(client_sees("self.pem", "self.key", ca, "localhost", &e), SPTCP_TLS_STATUS_ERROR);
    CHECK_EQ(client_sees("self.pem", "self.key", unsafe_, "localhost", &e), SPTCP_TLS_STATUS_CONNECTED);
    /* A self-signed certificate marked as a CA (openssl req -x509, Godot's
     * own), trusted directly: accepted, as mbedtls does; its name counts. */
    sptcp_tls_options *pinned = sptcp_tls_options_client(slurp("self.pem"), NULL);
    NEED(pinned != NULL);
    CHECK_EQ(client_sees("self.pem", "self.key", pinned, "localhost", &e), SPTCP_TLS_STATUS_CONNECTED);
    CHECK_EQ(client_sees("self.pem", "self.key", pinned, "other.example", &e),
             SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH);
    CHECK_EQ(client_sees("server.pem", "server.key", pinned, "localhost", &e), SPTCP_TLS_STATUS_ERROR);
    sptcp_tls_options_free(pinned);
    CHECK_EQ(client_sees("expired.pem", "expired.key", unsafe_, "anything", &e), SPTCP_TLS_STATUS_CONNECTED);
    /* An EC key works as well as RSA. */
    CHECK_EQ(client_sees("server-ec.pem", "server-ec.key", ca, "localhost", &e), SPTCP_TLS_STATUS_CONNECTED);
    sptcp_tls_options_free(ca);
    sptcp_tls_options_free(roots);
    sptcp_tls_options_free(unsafe_);
    sptcp_tls_options_free(override);
}

static void truncation_and_plain_text(void) {
    sptcp_server *s = sptcp_server_new();
    NEED(start_server(s, "127.0.0.1") > 0);
    sptcp_tls_options *co = sptcp_tls_options_client(slurp("ca.pem"), NULL);
    sptcp_tls_options *so = server_opts("server.pem", "server.key");
    sptcp_peer *c, *a;
    tls_pair(s, co, "localhost", so, &c, &a);
    sptcp_error ec, ea;
    handshake(c, a, &ec, &ea);
    NEED(sptcp_tls_get_status(c) == SPTCP_TLS_STATUS_CONNECTED);
    /* The server's TCP closes under it, without close_notify. */
    sptcp_disconnect_from_host(sptcp_tls_get_stream(a));
    long long end = now_ms() + 5000;
    sptcp_error last = SPTCP_OK;
    while (sptcp_tls_get_status(c) == SPTCP_TLS_STATUS_CONNECTED && now_ms() < end) {
        sptcp_error e = sptcp_tls_poll(c);
        if (e != SPTCP_OK) {
            last = e;
        }
        sleep_ms(1);
    }
    CHECK_EQ(sptcp_tls_get_status(c), SPTCP_TLS_STATUS_ERROR);
    CHECK_EQ(last, SPTCP_ERR_CONNECTION_ERROR);
    CHECK(strstr(sptcp_last_error_message(), "close_notify") != NULL);
    sptcp_peer_free(c);
    sptcp_peer_free(a);

    /* Plain text to a TLS server: ERROR, no crash. */
    sptcp_peer *raw, *ta;
    NEED(connect_pair(s, &raw, &ta) == 0);
    a = sptcp_tls_new();
    CHECK_EQ(sptcp_tls_accept_stream(a, ta, so), SPTCP_OK);
    CHECK_EQ(sptcp_put_data(raw, (const uint8_t *)"GET / HTTP/1.0\r\n\r\n", 18), SPTCP_OK);
    handshake(a, NULL, &ea, &ec);
    CHECK_EQ(sptcp_tls_get_status(a), SPTCP_TLS_STATUS_ERROR);
    CHECK_EQ(ea, SPTCP_FAILED);
    sptcp_peer_free(a);
    sptcp_peer_free(raw);
    sptcp_tls_options_free(co);
    sptcp_tls_options_free(so);
    sptcp_server_free(s);
}

static void over_unix_domain_sockets(void) {
    char path[200];
    snprintf(path, sizeof path, "%s/tls.sock", dir);
    sptcp_server *s = sptcp_uds_server_new();
    if (sptcp_uds_server_listen(s, path) != SPTCP_OK) {
        printf("tls: no Unix domain sockets here: %s\n", sptcp_last_error_message());
        sptcp_server_free(s);
        return;
    }
    sptcp_peer *uc = sptcp_uds_new();
    CHECK_EQ(sptcp_uds_connect_to_host(uc, path), SPTCP_OK);
    sptcp_peer *ua = take_within(s, 5000);
    NEED(ua != NULL);
    sptcp_tls_options *co = sptcp_tls_options_client(slurp("ca.pem"), NULL);
    sptcp_tls_options *so = server_opts("server.pem", "server.key");
    sptcp_peer *c = sptcp_tls_new(), *a = sptcp_tls_new();
    CHECK_EQ(sptcp_tls_connect_to_stream(c, uc, "localhost", co), SPTCP_OK);
    CHECK_EQ(sptcp_tls_accept_stream(a, ua, so), SPTCP_OK);
    sptcp_error ec, ea;
    handshake(c, a, &ec, &ea);
    CHECK_EQ(sptcp_tls_get_status(c), SPTCP_TLS_STATUS_CONNECTED);
    CHECK_EQ(sptcp_put_u64(a, 0x0102030405060708ull), SPTCP_OK);
    uint64_t q = 0;
    CHECK_EQ(sptcp_get_u64(c, &q), SPTCP_OK);
    CHECK_EQ(q, 0x0102030405060708ull);
    sptcp_peer_free(c);
    sptcp_peer_free(a);
    sptcp_tls_options_free(co);
    sptcp_tls_options_free(so);
    sptcp_server_free(s);
}

int main(void) {
    /* SPTCP_TLS_CERTS: certificates made already (the Windows run under
     * Wine, which has no shell to run the script). */
    const char *given = getenv("SPTCP_TLS_CERTS");
    char cmd[300];
    if (given != NULL) {
        snprintf(dir, sizeof dir, "%s", given);
    } else {
        snprintf(dir, sizeof dir, "build/tls-test-%d", (int)getpid());
        snprintf(cmd, sizeof cmd, "sh c-tests/tls_certs.sh %s >/dev/null 2>&1", dir);
        if (system(cmd) != 0) {
            dir[0] = 0;
        }
    }
    if (dir[0] == 0 || slurp("ca.pem") == NULL) {
        printf("test_tls: no certificates (needs the openssl command): nothing tested\n");
        CHECK(0);
        return check_summary("test_tls");
    }
    options_and_arguments();
    data_over_tcp();
    while_the_tcp_connect_runs_and_free_sends_close_notify();
    verification();
    truncation_and_plain_text();
    over_unix_domain_sockets();
    if (given == NULL) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0) {
            printf("test_tls: could not remove %s\n", dir);
        }
    }
    return check_summary("test_tls");
}
