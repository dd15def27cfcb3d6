/* The library's side of the TLS interop matrix (c-tests/tls_interop.sh runs
 * it against openssl s_server / s_client and Python's ssl module). One mode
 * per run; every mode prints "detail: ..." lines and the check.h summary, and
 * exits 0 only when what happened is what was expected.
 *
 *   tls_interop client       PORT CA CN OVERRIDE XFORM NBYTES EXPECT [TEXT]
 *   tls_interop client-early PORT CA CN OVERRIDE XFORM NBYTES EXPECT [TEXT]
 *       Our client over a TCP peer to 127.0.0.1:PORT (client-early: the TLS peer is
 *       given the stream while it is still CONNECTING). CA: a PEM file, "-" for the
 *       default roots, "unsafe:FILE" or "unsafe:-" for sptcp_tls_options_client_unsafe.
 *       OVERRIDE: the common name override, "-" for none. EXPECT: ok, error or
 *       mismatch; TEXT: words the last error message must hold (any case).
 *       XFORM, once CONNECTED:
 *         rev     sends NBYTES as lines of 64 bytes, expects each line reversed
 *                 (openssl s_server -rev)
 *         echo    sends NBYTES pattern bytes, expects them back
 *         none    nothing (the handshake only)
 *         notify  expects NBYTES pattern bytes and then DISCONNECTED (close_notify)
 *         late    polls 500 ms without reading (the data and the close_notify arrive),
 *                 expects CONNECTED with NBYTES available, reads them, then DISCONNECTED
 *         trunc   expects all NBYTES pattern bytes and then ERROR (no close_notify)
 *         cut     expects the bytes of the whole records (NBYTES less the last record,
 *                 cut short, at most 16384) and then ERROR
 *   tls_interop server KEY CERT XFORM NBYTES
 *       Our server on 127.0.0.1, ephemeral port, printed as "PORT <n>"; one connection.
 *         echo    reads NBYTES, sends them back, then sptcp_tls_disconnect_from_stream
 *         notify  reads until the far end's close_notify: NBYTES of the file given
 *                 in $TLS_INTEROP_EXPECT, then DISCONNECTED
 *   tls_interop plaintext KEY CERT
 *       A raw TCP client sends "GET / HTTP/1.0\r\n\r\n" to our server: ERROR, no crash.
 *   tls_interop garbage KEY CERT ROUNDS
 *       A raw TCP client feeds our server 64 KiB of random bytes, ROUNDS times: ERROR
 *       each time, VmRSS growth bounded.
 */
#include "check.h"
#include "rawsock.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#define HANDSHAKE_MS 10000
#define EXCHANGE_MS 20000

static const char *tls_status_name(int st) {
    switch (st) {
    case SPTCP_TLS_STATUS_DISCONNECTED: return "DISCONNECTED";
    case SPTCP_TLS_STATUS_HANDSHAKING: return "HANDSHAKING";
    case SPTCP_TLS_STATUS_CONNECTED: return "CONNECTED";
    case SPTCP_TLS_STATUS_ERROR: return "ERROR";
    case SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH: return "ERROR_HOSTNAME_MISMATCH";
    default: return "?";
    }
}

/* The last error message of a failing call, kept (the library's pointer is
 * valid only until the next call). */
static char last_msg[1024];
static void keep_error(sptcp_error e, const char *what) {
    snprintf(last_msg, sizeof last_msg, "%s: %s (%s)", what, sptcp_last_error_message(), sptcp_error_name(e));
}

static int contains_nocase(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) {
            i++;
        }
        if (i == n) {
            return 1;
        }
    }
    return n == 0;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
    }
    if (len) {
        *len = n;
    }
    return buf;
}

static uint8_t pattern_byte(size_t i) {
    return (uint8_t)(i * 131u + 7u);
}

/* Polls the TLS peer until it leaves HANDSHAKING (or the time is up). */
static int handshake(sptcp_peer *tls, long timeout_ms) {
    long long end = now_ms() + timeout_ms;
    int st = sptcp_tls_get_status(tls);
    while (now_ms() < end) {
        sptcp_error e = sptcp_tls_poll(tls);
        if (e != SPTCP_OK) {
            keep_error(e, "sptcp_tls_poll");
        }
        st = sptcp_tls_get_status(tls);
        if (st != SPTCP_TLS_STATUS_HANDSHAKING) {
            break;
        }
        sleep_ms(1);
    }
    return st;
}

/* Sends out[0..out_len) and receives in_len bytes into in, interleaved,
 * with partial calls. Returns the TLS status at the end. */
static int exchange(sptcp_peer *tls, const uint8_t *out, size_t out_len, uint8_t *in, size_t in_len,
                    size_t *sent, size_t *got) {
    long long end = now_ms() + EXCHANGE_MS;
    *sent = *got = 0;
    int st = sptcp_tls_get_status(tls);
    while ((*sent < out_len || *got < in_len) && now_ms() < end) {
        int progress = 0;
        sptcp_error e = sptcp_tls_poll(tls);
        if (e != SPTCP_OK) {
            keep_error(e, "sptcp_tls_poll");
        }
        st = sptcp_tls_get_status(tls);
        if (st != SPTCP_TLS_STATUS_CONNECTED) {
            break;
        }
        if (*sent < out_len) {
            size_t n = 0, want = out_len - *sent;
            e = sptcp_put_partial_data(tls, out + *sent, want > 16384 ? 16384 : want, &n);
            if (e != SPTCP_OK) {
                keep_error(e, "sptcp_put_partial_data");
                st = sptcp_tls_get_status(tls);
                break;
            }
            *sent += n;
            progress |= n > 0;
        }
        if (*got < in_len) {
            size_t n = 0;
            e = sptcp_get_partial_data(tls, in + *got, in_len - *got, &n);
            if (e != SPTCP_OK) {
                keep_error(e, "sptcp_get_partial_data");
                st = sptcp_tls_get_status(tls);
                break;
            }
            *got += n;
            progress |= n > 0;
        }
        if (!progress) {
            sleep_ms(1);
        }
    }
    return st;
}

/* Reads until the TLS peer leaves CONNECTED; returns the status then.
 * *got counts the bytes read (those past cap are only counted). */
static int read_to_end(sptcp_peer *tls, uint8_t *in, size_t cap, size_t *got) {
    long long end = now_ms() + EXCHANGE_MS;
    *got = 0;
    int st = sptcp_tls_get_status(tls);
    while (now_ms() < end) {
        sptcp_error e = sptcp_tls_poll(tls);
        if (e != SPTCP_OK) {
            keep_error(e, "sptcp_tls_poll");
        }
        st = sptcp_tls_get_status(tls);
        if (st != SPTCP_TLS_STATUS_CONNECTED) {
            break;
        }
        size_t n = 0;
        uint8_t scratch[4096];
        uint8_t *dst = *got < cap ? in + *got : scratch;
        size_t room = *got < cap ? cap - *got : sizeof scratch;
        e = sptcp_get_partial_data(tls, dst, room, &n);
        if (e != SPTCP_OK) {
            keep_error(e, "sptcp_get_partial_data");
            st = sptcp_tls_get_status(tls);
            break;
        }
        *got += n;
        if (n == 0) {
            sleep_ms(1);
        }
    }
    return st;
}

static int run_client(int argc, char **argv, int early) {
    NEED(argc >= 9);
    int port = atoi(argv[2]);
    const char *ca_arg = argv[3], *cn = argv[4], *override = argv[5], *xform = argv[6];
    size_t nbytes = (size_t)strtoul(argv[7], NULL, 10);
    const char *expect = argv[8], *text = argc > 9 ? argv[9] : "";
    int unsafe = strncmp(ca_arg, "unsafe:", 7) == 0;
    if (unsafe) {
        ca_arg += 7;
    }
    char *ca = NULL;
    if (strcmp(ca_arg, "-") != 0) {
        ca = read_file(ca_arg, NULL);
        NEED(ca != NULL);
    }
    sptcp_tls_options *opts = unsafe ? sptcp_tls_options_client_unsafe(ca)
                                     : sptcp_tls_options_client(ca, strcmp(override, "-") ? override : NULL);
    NEED(opts != NULL);
    free(ca);

    sptcp_peer *tcp = sptcp_peer_new();
    NEED(sptcp_connect_to_host(tcp, "127.0.0.1", port) == SPTCP_OK);
    if (!early) {
        NEED(poll_until(tcp, SPTCP_STATUS_CONNECTED, 5000) == SPTCP_STATUS_CONNECTED);
    }
    sptcp_peer *tls = sptcp_tls_new();
    NEED(tls != NULL);
    sptcp_error e = sptcp_tls_connect_to_stream(tls, tcp, cn, opts);
    if (e != SPTCP_OK) {
        keep_error(e, "sptcp_tls_connect_to_stream");
    }
    CHECK_EQ(e, SPTCP_OK);
    sptcp_tls_options_free(opts); /* the peer keeps what it needs */
    if (e != SPTCP_OK) {
        sptcp_peer_free(tcp);
        sptcp_peer_free(tls);
        printf("detail: connect_to_stream failed: %s\n", last_msg);
        return check_summary(__FILE__);
    }
    CHECK(sptcp_tls_get_stream(tls) == tcp);
    int st = handshake(tls, HANDSHAKE_MS);
    printf("detail: handshake ended in %s%s%s\n", tls_status_name(st), last_msg[0] ? "; last error: " : "",
           last_msg);

    if (strcmp(expect, "ok") != 0) {
        int want = strcmp(expect, "mismatch") == 0 ? SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH : SPTCP_TLS_STATUS_ERROR;
        CHECK_EQ(st, want);
        if (text[0] && !contains_nocase(last_msg, text)) {
            checks_failed++;
            fprintf(stderr, "last error message \"%s\" does not mention \"%s\"\n", last_msg, text);
        }
        /* Data calls on a peer that is not CONNECTED: UNCONFIGURED. */
        uint8_t b = 0;
        CHECK_EQ(sptcp_put_data(tls, &b, 1), SPTCP_ERR_UNCONFIGURED);
        sptcp_peer_free(tls);
        return check_summary(__FILE__);
    }
    CHECK_EQ(st, SPTCP_TLS_STATUS_CONNECTED);
    if (st != SPTCP_TLS_STATUS_CONNECTED) {
        sptcp_peer_free(tls);
        return check_summary(__FILE__);
    }

    uint8_t *out = malloc(nbytes + 1), *in = malloc(nbytes + 1), *want = malloc(nbytes + 1);
    NEED(out && in && want);
    size_t sent = 0, got = 0;
    if (strcmp(xform, "rev") == 0 || strcmp(xform, "echo") == 0) {
        for (size_t i = 0; i < nbytes; i++) {
            out[i] = strcmp(xform, "rev") == 0 ? (uint8_t)('!' + (i * 7 + i / 64) % 90) : pattern_byte(i);
        }
        if (strcmp(xform, "rev") == 0) {
            /* Lines of 64 bytes, the last of them ending in '\n' too. */
            for (size_t i = 63; i < nbytes; i += 64) {
                out[i] = '\n';
            }
            if (nbytes) {
                out[nbytes - 1] = '\n';
            }
            for (size_t s = 0; s < nbytes;) {
                size_t e2 = s;
                while (out[e2] != '\n') {
                    e2++;
                }
                for (size_t k = s; k < e2; k++) {
                    want[k] = out[e2 - 1 - (k - s)];
                }
                want[e2] = '\n';
                s = e2 + 1;
            }
        } else {
            memcpy(want, out, nbytes);
        }
        st = exchange(tls, out, nbytes, in, nbytes, &sent, &got);
        CHECK_EQ(sent, nbytes);
        CHECK_EQ(got, nbytes);
        CHECK(got == nbytes && memcmp(in, want, nbytes) == 0);
        printf("detail: %zu bytes sent, %zu received, %s\n", sent, got,
               got == nbytes && memcmp(in, want, nbytes) == 0 ? "as expected" : "NOT as expected");
        sptcp_tls_disconnect_from_stream(tls);
        CHECK_EQ(sptcp_tls_get_status(tls), SPTCP_TLS_STATUS_DISCONNECTED);
        CHECK(sptcp_tls_get_stream(tls) == NULL);
    } else if (strcmp(xform, "late") == 0) {
        /* Let the data and the close_notify arrive before reading a byte. */
        long long end = now_ms() + 500;
        while (now_ms() < end) {
            sptcp_error e = sptcp_tls_poll(tls);
            if (e != SPTCP_OK) {
                keep_error(e, "sptcp_tls_poll");
            }
            sleep_ms(5);
        }
        int st_before = sptcp_tls_get_status(tls);
        int avail = sptcp_get_available_bytes(tls);
        printf("detail: after 500 ms of polls, unread: %s with %d bytes available\n", tls_status_name(st_before),
               avail);
        CHECK_EQ(st_before, SPTCP_TLS_STATUS_CONNECTED);
        CHECK_EQ(avail, (long long)nbytes);
        st = read_to_end(tls, in, nbytes, &got);
        int same = got == nbytes;
        for (size_t i = 0; i < got && i < nbytes; i++) {
            same &= in[i] == pattern_byte(i);
        }
        printf("detail: then read %zu bytes (%s), then %s%s%s\n", got, same ? "as sent" : "NOT as sent",
               tls_status_name(st), last_msg[0] ? "; last error: " : "", last_msg);
        CHECK(same);
        CHECK_EQ(st, SPTCP_TLS_STATUS_DISCONNECTED);
    } else if (strcmp(xform, "notify") == 0 || strcmp(xform, "trunc") == 0 || strcmp(xform, "cut") == 0) {
        st = read_to_end(tls, in, nbytes, &got);
        int same = 1;
        for (size_t i = 0; i < got && i < nbytes; i++) {
            same &= in[i] == pattern_byte(i);
        }
        printf("detail: read %zu bytes (%s), then %s%s%s\n", got, same ? "as sent" : "NOT as sent",
               tls_status_name(st), last_msg[0] ? "; last error: " : "", last_msg);
        CHECK(same);
        if (strcmp(xform, "notify") == 0) {
            CHECK_EQ(got, nbytes);
            CHECK_EQ(st, SPTCP_TLS_STATUS_DISCONNECTED);
        } else if (strcmp(xform, "trunc") == 0) {
            CHECK_EQ(got, nbytes);
            CHECK_EQ(st, SPTCP_TLS_STATUS_ERROR);
        } else {
            CHECK(got < nbytes && got + 16384 >= nbytes);
            CHECK_EQ(st, SPTCP_TLS_STATUS_ERROR);
        }
    }
    free(out);
    free(in);
    free(want);
    sptcp_peer_free(tls);
    return check_summary(__FILE__);
}

static sptcp_tls_options *server_options(const char *key_path, const char *cert_path) {
    char *key = read_file(key_path, NULL), *cert = read_file(cert_path, NULL);
    NEED(key && cert);
    sptcp_tls_options *opts = sptcp_tls_options_server(key, cert);
    if (!opts) {
        fprintf(stderr, "sptcp_tls_options_server(%s, %s): NULL: %s\n", key_path, cert_path,
                sptcp_last_error_message());
    }
    free(key);
    free(cert);
    return opts;
}

/* Takes the next connection of `server` and starts TLS on it. */
static sptcp_peer *accept_tls(sptcp_server *server, const sptcp_tls_options *opts, long timeout_ms) {
    sptcp_peer *tcp = take_within(server, timeout_ms);
    if (!tcp) {
        fprintf(stderr, "no connection within %ld ms\n", timeout_ms);
        return NULL;
    }
    sptcp_peer *tls = sptcp_tls_new();
    sptcp_error e = sptcp_tls_accept_stream(tls, tcp, opts);
    if (e != SPTCP_OK) {
        fprintf(stderr, "sptcp_tls_accept_stream: %s: %s\n", sptcp_error_name(e), sptcp_last_error_message());
        sptcp_peer_free(tcp);
        sptcp_peer_free(tls);
        return NULL;
    }
    return tls;
}

static int run_server(int argc, char **argv) {
    NEED(argc >= 6);
    const char *xform = argv[4];
    size_t nbytes = (size_t)strtoul(argv[5], NULL, 10);
    sptcp_tls_options *opts = server_options(argv[2], argv[3]);
    NEED(opts != NULL);
    sptcp_server *server = sptcp_server_new();
    int port = start_server(server, "127.0.0.1");
    NEED(port > 0);
    printf("PORT %d\n", port);
    fflush(stdout);
    sptcp_peer *tls = accept_tls(server, opts, 20000);
    sptcp_tls_options_free(opts);
    NEED(tls != NULL);
    int st = handshake(tls, HANDSHAKE_MS);
    printf("detail: handshake ended in %s%s%s\n", tls_status_name(st), last_msg[0] ? "; last error: " : "",
           last_msg);
    CHECK_EQ(st, SPTCP_TLS_STATUS_CONNECTED);
    uint8_t *in = malloc(nbytes + 1);
    NEED(in != NULL);
    if (st == SPTCP_TLS_STATUS_CONNECTED && strcmp(xform, "echo") == 0) {
        size_t sent = 0, got = 0;
        st = exchange(tls, NULL, 0, in, nbytes, &sent, &got);
        CHECK_EQ(got, nbytes);
        st = exchange(tls, in, got, NULL, 0, &sent, &got);
        CHECK_EQ(sent, nbytes);
        /* The disconnect sends whatever is still queued, then close_notify. */
        printf("detail: echoed %zu bytes, status %s\n", sent, tls_status_name(st));
        sptcp_tls_disconnect_from_stream(tls);
        CHECK_EQ(sptcp_tls_get_status(tls), SPTCP_TLS_STATUS_DISCONNECTED);
    } else if (st == SPTCP_TLS_STATUS_CONNECTED && strcmp(xform, "notify") == 0) {
        size_t want_len = 0, got = 0;
        const char *path = getenv("TLS_INTEROP_EXPECT");
        char *want = path ? read_file(path, &want_len) : NULL;
        NEED(want != NULL);
        st = read_to_end(tls, in, nbytes, &got);
        int same = got == want_len && memcmp(in, want, want_len) == 0;
        printf("detail: read %zu bytes (%s), then %s%s%s\n", got, same ? "as sent" : "NOT as sent",
               tls_status_name(st), last_msg[0] ? "; last error: " : "", last_msg);
        CHECK(same);
        CHECK_EQ(st, SPTCP_TLS_STATUS_DISCONNECTED);
        free(want);
    }
    free(in);
    sptcp_peer_free(tls);
    sptcp_server_free(server);
    return check_summary(__FILE__);
}

static int set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int run_plaintext(int argc, char **argv) {
    NEED(argc >= 4);
    sptcp_tls_options *opts = server_options(argv[2], argv[3]);
    NEED(opts != NULL);
    sptcp_server *server = sptcp_server_new();
    int port = start_server(server, "127.0.0.1");
    NEED(port > 0);
    int fd = raw_connect(port);
    NEED(fd >= 0);
    const char req[] = "GET / HTTP/1.0\r\n\r\n";
    NEED(send(fd, req, sizeof req - 1, RAW_NOSIGNAL) == (ssize_t)(sizeof req - 1));
    sptcp_peer *tls = accept_tls(server, opts, 5000);
    sptcp_tls_options_free(opts);
    NEED(tls != NULL);
    int st = handshake(tls, HANDSHAKE_MS);
    CHECK_EQ(st, SPTCP_TLS_STATUS_ERROR);
    /* What the raw client got back (an alert, or nothing). */
    set_nonblocking(fd);
    uint8_t back[512];
    ssize_t n = 0;
    long long end = now_ms() + 500;
    while (now_ms() < end) {
        n = recv(fd, back, sizeof back, 0);
        if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            break;
        }
        sleep_ms(5);
    }
    printf("detail: our server ended in %s; last error: %s; the client got %s\n", tls_status_name(st), last_msg,
           n > 0 ? (back[0] == 0x15 ? "a TLS alert" : "bytes that are no alert") : n == 0 ? "EOF" : "nothing");
    uint8_t b = 0;
    CHECK_EQ(sptcp_put_data(tls, &b, 1), SPTCP_ERR_UNCONFIGURED);
    raw_close(fd);
    sptcp_peer_free(tls);
    sptcp_server_free(server);
    return check_summary(__FILE__);
}

static long vm_rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
        }
    }
    if (f) {
        fclose(f);
    }
    return kib;
}

static uint64_t rng_state;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* One round: 64 KiB of random bytes (some rounds behind a plausible TLS
 * record header) into our server's handshake. Returns the final status;
 * *after_eof is set when ERROR came only after the client closed. */
static int garbage_round(sptcp_server *server, const sptcp_tls_options *opts, int round, int *after_eof) {
    enum { TOTAL = 64 * 1024 };
    static uint8_t junk[TOTAL];
    for (size_t i = 0; i < TOTAL; i += 8) {
        uint64_t r = rng();
        memcpy(junk + i, &r, 8);
    }
    switch (round % 4) {
    case 1: /* a handshake record of the largest size, random inside */
        memcpy(junk, "\x16\x03\x01\x40\x00", 5);
        break;
    case 2: /* a ClientHello header with a random body */
        memcpy(junk, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
        break;
    case 3: /* a record longer than any TLS allows */
        memcpy(junk, "\x16\x03\x03\xff\xff", 5);
        break;
    default: /* random from the first byte */
        break;
    }
    *after_eof = 0;
    int fd = raw_connect(sptcp_server_get_local_port(server));
    NEED(fd >= 0);
    set_nonblocking(fd);
    sptcp_peer *tls = accept_tls(server, opts, 5000);
    NEED(tls != NULL);
    size_t off = 0;
    int st = SPTCP_TLS_STATUS_HANDSHAKING;
    long long end = now_ms() + 5000;
    while (now_ms() < end) {
        if (off < TOTAL) {
            ssize_t n = send(fd, junk + off, TOTAL - off, RAW_NOSIGNAL);
            if (n > 0) {
                off += (size_t)n;
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                off = TOTAL; /* reset by our side: fine */
            }
        }
        sptcp_error e = sptcp_tls_poll(tls);
        if (e != SPTCP_OK) {
            keep_error(e, "sptcp_tls_poll");
        }
        st = sptcp_tls_get_status(tls);
        if (st != SPTCP_TLS_STATUS_HANDSHAKING) {
            break;
        }
        if (off >= TOTAL && end - now_ms() > 3000) {
            end = now_ms() + 2000; /* all sent: 2 s more to decide */
        }
        sleep_ms(1);
    }
    if (st == SPTCP_TLS_STATUS_HANDSHAKING) {
        shutdown(fd, SHUT_WR);
        *after_eof = 1;
        st = handshake(tls, 3000);
    }
    raw_close(fd);
    sptcp_peer_free(tls);
    return st;
}

static int run_garbage(int argc, char **argv) {
    NEED(argc >= 5);
    int rounds = atoi(argv[4]);
    sptcp_tls_options *opts = server_options(argv[2], argv[3]);
    NEED(opts != NULL);
    sptcp_server *server = sptcp_server_new();
    NEED(start_server(server, "127.0.0.1") > 0);
    rng_state = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull | 1;
    printf("detail: seed %llu\n", (unsigned long long)rng_state);
    int after_eof = 0, errors = 0, late = 0;
    for (int r = 0; r < 4; r++) { /* warm-up: allocator, thread-locals */
        garbage_round(server, opts, r, &after_eof);
    }
    long before = vm_rss_kib();
    for (int r = 0; r < rounds; r++) {
        last_msg[0] = '\0';
        int st = garbage_round(server, opts, r, &after_eof);
        if (st == SPTCP_TLS_STATUS_ERROR && !after_eof) {
            errors++;
        } else {
            fprintf(stderr, "round %d (kind %d): %s%s; last error: %s\n", r, r % 4, tls_status_name(st),
                    after_eof ? " (only after the client's EOF)" : "", last_msg);
        }
        late += after_eof;
        if (r < 4) {
            printf("detail: kind %d: %s (%s)\n", r % 4, tls_status_name(st), last_msg);
        }
    }
    long after = vm_rss_kib();
    printf("detail: %d of %d rounds ERROR before EOF; VmRSS %ld KiB -> %ld KiB (%+ld KiB)\n", errors, rounds, before,
           after, after - before);
    CHECK_EQ(errors, rounds);
    CHECK(before > 0 && after - before < 4096);
    sptcp_tls_options_free(opts);
    sptcp_server_free(server);
    return check_summary(__FILE__);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: see the comment at the top of c-tests/tls_interop.c\n");
        return 2;
    }
    if (strcmp(argv[1], "client") == 0) {
        return run_client(argc, argv, 0);
    }
    if (strcmp(argv[1], "client-early") == 0) {
        return run_client(argc, argv, 1);
    }
    if (strcmp(argv[1], "server") == 0) {
        return run_server(argc, argv);
    }
    if (strcmp(argv[1], "plaintext") == 0) {
        return run_plaintext(argc, argv);
    }
    if (strcmp(argv[1], "garbage") == 0) {
        return run_garbage(argc, argv);
    }
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
}
