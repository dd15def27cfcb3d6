/* A tiny test harness for the C tests: CHECK macros that count, print what
 * failed with the library's last error message, and a summary line. */
#ifndef SPTCP_CHECK_H
#define SPTCP_CHECK_H

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "streampeer_tcp.h"

static int checks_passed;
static int checks_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            checks_passed++;                                                     \
        } else {                                                                 \
            checks_failed++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n    last error: %s\n",     \
                    __FILE__, __LINE__, #cond, sptcp_last_error_message());      \
        }                                                                        \
    } while (0)

#define CHECK_EQ(actual, expected)                                               \
    do {                                                                         \
        long long a_ = (long long)(actual), e_ = (long long)(expected);          \
        if (a_ == e_) {                                                          \
            checks_passed++;                                                     \
        } else {                                                                 \
            checks_failed++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (got %lld, want %lld)\n" \
                    "    last error: %s\n", __FILE__, __LINE__, #actual,          \
                    #expected, a_, e_, sptcp_last_error_message());              \
        }                                                                        \
    } while (0)

#define CHECK_STR(actual, expected)                                              \
    do {                                                                         \
        const char *a_ = (actual), *e_ = (expected);                             \
        if (a_ && strcmp(a_, e_) == 0) {                                         \
            checks_passed++;                                                     \
        } else {                                                                 \
            checks_failed++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s == \"%s\" (got \"%s\")\n",  \
                    __FILE__, __LINE__, #actual, e_, a_ ? a_ : "(null)");        \
        }                                                                        \
    } while (0)

/* The OS's words for an error: the text on Unix, the WSA number on
 * Windows (Wine cannot format the text). */
#ifdef _WIN32
#define OS_SAYS(unix_text, wsa_code) (strstr(sptcp_last_error_message(), wsa_code) != NULL)
#else
#define OS_SAYS(unix_text, wsa_code) (strstr(sptcp_last_error_message(), unix_text) != NULL)
#endif

/* A fatal precondition: stop this test program. */
#define REQUIRE(cond)                                                            \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n    last error: %s\n",   \
                    __FILE__, __LINE__, #cond, sptcp_last_error_message());      \
            checks_failed++;                                                     \
            return check_summary(__FILE__);                                      \
        }                                                                        \
    } while (0)

static inline int check_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
    return checks_failed ? 1 : 0;
}

/* A fatal precondition inside a function that returns nothing: print the
 * summary and end the program. */
#define NEED(cond)                                                               \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: NEED failed: %s\n    last error: %s\n",      \
                    __FILE__, __LINE__, #cond, sptcp_last_error_message());      \
            checks_failed++;                                                     \
            exit(check_summary(__FILE__));                                       \
        }                                                                        \
    } while (0)

static inline void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static inline long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls `peer` until its status is `want` or `timeout_ms` passes; returns
 * the last status seen. */
static inline sptcp_status poll_until(sptcp_peer *peer, sptcp_status want, long timeout_ms) {
    long long end = now_ms() + timeout_ms;
    sptcp_status st = sptcp_get_status(peer);
    while (st != want && now_ms() < end) {
        sptcp_poll(peer);
        st = sptcp_get_status(peer);
        if (st != want) {
            sleep_ms(1);
        }
    }
    return st;
}

/* Waits until `n` bytes can be read from `peer` without waiting or
 * `timeout_ms` passes (sleeping, never polling); returns how many can be
 * read then. */
static inline int32_t wait_for_bytes(sptcp_peer *peer, int32_t n, long timeout_ms) {
    long long end = now_ms() + timeout_ms;
    while (sptcp_get_available_bytes(peer) < n && now_ms() < end) {
        sleep_ms(1);
    }
    return sptcp_get_available_bytes(peer);
}

/* Waits until the server has a connection waiting and takes it. */
static inline sptcp_peer *take_within(sptcp_server *server, long timeout_ms) {
    long long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        if (sptcp_server_is_connection_available(server)) {
            return sptcp_server_take_connection(server);
        }
        sleep_ms(1);
    }
    return NULL;
}

/* Starts a server on 127.0.0.1 with an ephemeral port; returns the port. */
static inline int start_server(sptcp_server *server, const char *addr) {
    if (sptcp_server_listen(server, 0, addr) != SPTCP_OK) {
        return -1;
    }
    return sptcp_server_get_local_port(server);
}

/* A connected client/accepted pair over loopback. Returns 0 on success. */
static inline int connect_pair(sptcp_server *server, sptcp_peer **client, sptcp_peer **accepted) {
    int port = sptcp_server_get_local_port(server);
    *client = sptcp_peer_new();
    if (sptcp_connect_to_host(*client, "127.0.0.1", port) != SPTCP_OK) {
        return -1;
    }
    *accepted = take_within(server, 5000);
    if (*accepted == NULL) {
        return -1;
    }
    if (poll_until(*client, SPTCP_STATUS_CONNECTED, 5000) != SPTCP_STATUS_CONNECTED) {
        return -1;
    }
    return 0;
}

#endif
