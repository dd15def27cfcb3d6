/* 1 GiB (BULK_MIB to change) through one connection in random-sized
 * writes (put_data and put_partial_data) and random-sized partial reads,
 * on two threads: the bytes that arrive hash the same as the bytes sent. */
#include "check.h"

#include <pthread.h>

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

struct sender {
    sptcp_peer *peer;
    size_t total;
    uint64_t hash;
    int failures;
};

static void *send_all(void *arg) {
    struct sender *s = arg;
    static uint8_t chunk[256 * 1024];
    uint64_t r = 12345;
    size_t sent_total = 0;
    s->hash = 0xcbf29ce484222325ULL;
    while (sent_total < s->total) {
        size_t n = 1 + rnd(&r) % sizeof chunk;
        if (n > s->total - sent_total) {
            n = s->total - sent_total;
        }
        for (size_t i = 0; i < n; i += 8) {
            uint64_t x = rnd(&r);
            memcpy(chunk + i, &x, n - i < 8 ? n - i : 8);
        }
        s->hash = fnv(s->hash, chunk, n);
        if (rnd(&r) % 2) {
            s->failures += sptcp_put_data(s->peer, chunk, n) != SPTCP_OK;
        } else {
            size_t off = 0;
            while (off < n) {
                size_t sent = 0;
                if (sptcp_put_partial_data(s->peer, chunk + off, n - off, &sent) != SPTCP_OK) {
                    s->failures++;
                    return NULL;
                }
                off += sent;
                if (sent == 0) {
                    sleep_ms(0);
                }
            }
        }
        sent_total += n;
    }
    return NULL;
}

int main(void) {
    const char *env = getenv("BULK_MIB");
    size_t total = (size_t)(env ? atol(env) : 1024) << 20;
    sptcp_server *s = sptcp_server_new();
    start_server(s, "127.0.0.1");
    sptcp_peer *c = NULL, *a = NULL;
    REQUIRE(connect_pair(s, &c, &a) == 0);
    struct sender snd = {c, total, 0, 0};
    pthread_t t;
    long long start = now_ms();
    pthread_create(&t, NULL, send_all, &snd);
    static uint8_t buf[300 * 1024];
    uint64_t hash = 0xcbf29ce484222325ULL, r = rng_state;
    size_t got_total = 0;
    int failures = 0;
    while (got_total < total && failures == 0) {
        size_t want = 1 + rnd(&r) % sizeof buf;
        if (want > total - got_total) {
            want = total - got_total;
        }
        size_t got = 0;
        sptcp_error e = (rnd(&r) % 4 == 0) ? sptcp_get_data(a, buf, want, &got)
                                          : sptcp_get_partial_data(a, buf, want, &got);
        failures += e != SPTCP_OK;
        hash = fnv(hash, buf, got);
        got_total += got;
        if (got == 0) {
            sleep_ms(0);
        }
    }
    pthread_join(t, NULL);
    long long ms = now_ms() - start;
    printf("bulk: %zu MiB in %lld ms (%.0f MiB/s), hash %016llx\n", total >> 20, ms,
           ms ? (double)(total >> 20) * 1000.0 / (double)ms : 0.0, (unsigned long long)hash);
    CHECK_EQ(failures, 0);
    CHECK_EQ(snd.failures, 0);
    CHECK_EQ(got_total, total);
    CHECK(hash == snd.hash);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
    return check_summary("test_bulk");
}
