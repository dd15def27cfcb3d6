/* Network faults, run by c-tests/faults.sh inside a network namespace that
 * it creates (so fixed ports and firewall rules touch nothing else).
 *
 *   faults blackhole   SYNs to port 7001 are dropped: the connect stays
 *                      CONNECTING and ends in ERROR after its 700 ms timeout
 *   faults refused     port 7002 answers with a reset: ERROR quickly
 *   faults reset       a transfer on port 7003 is cut by resets half way:
 *                      the documented error, no hang
 *   faults lossy       10% of the packets to port 7004 are dropped: 16 MiB
 *                      still arrive intact */
#include "check.h"

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

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "blackhole") == 0) {
        blackhole();
    } else if (strcmp(what, "refused") == 0) {
        refused();
    } else if (strcmp(what, "reset") == 0) {
        reset_midway();
    } else if (strcmp(what, "lossy") == 0) {
        lossy();
    } else {
        fprintf(stderr, "usage: faults blackhole|refused|reset|lossy\n");
        return 2;
    }
    char name[64];
    snprintf(name, sizeof name, "faults-%s", what);
    return check_summary(name);
}
