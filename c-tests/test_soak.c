/* Leak soak: many connect / accept / exchange / disconnect cycles (10000 by
 * default, SOAK_CYCLES to change). The process's open descriptors and its
 * heap in use must come back to where they started. */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <malloc.h>

static int open_fds(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

static size_t heap_in_use(void) {
    return mallinfo2().uordblks;
}

static int cycle(sptcp_server *s, int i) {
    sptcp_peer *c = NULL, *a = NULL;
    int ok = connect_pair(s, &c, &a) == 0;
    if (ok) {
        sptcp_variant *msg = sptcp_variant_new_int(i);
        ok = sptcp_put_var(c, msg, false) == SPTCP_OK;
        sptcp_variant_free(msg);
        sptcp_variant *got = NULL;
        int64_t v = -1;
        ok = ok && sptcp_get_var(a, false, &got) == SPTCP_OK && sptcp_variant_get_int(got, &v) == SPTCP_OK && v == i;
        sptcp_variant_free(got);
        ok = ok && sptcp_put_utf8_string(a, "bye") == SPTCP_OK;
        char *s2 = NULL;
        ok = ok && sptcp_get_utf8_string(c, -1, &s2, NULL) == SPTCP_OK;
        sptcp_string_free(s2);
        /* The accepted side closes first: TIME_WAIT stays on the server's
         * port, so the client's ephemeral ports are not used up. */
        sptcp_disconnect_from_host(a);
        ok = ok && poll_until(c, SPTCP_STATUS_NONE, 5000) == SPTCP_STATUS_NONE;
    }
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    return ok;
}

int main(void) {
    const char *env = getenv("SOAK_CYCLES");
    int cycles = env ? atoi(env) : 10000;
    sptcp_server *s = sptcp_server_new();
    REQUIRE(start_server(s, "127.0.0.1") > 0);
    /* Warm up: first-use allocations (thread-local error text, ...). */
    for (int i = 0; i < 20; i++) {
        cycle(s, i);
    }
    sptcp_poll(NULL); /* the error message slot holds its largest text */
    int fds0 = open_fds();
    size_t heap0 = heap_in_use();
    long long start = now_ms();
    int failures = 0;
    for (int i = 0; i < cycles; i++) {
        failures += !cycle(s, i);
    }
    long long ms = now_ms() - start;
    sptcp_poll(NULL);
    int fds1 = open_fds();
    size_t heap1 = heap_in_use();
    printf("soak: %d cycles in %lld ms; descriptors %d -> %d; heap in use %zu -> %zu bytes\n", cycles, ms, fds0,
           fds1, heap0, heap1);
    CHECK_EQ(failures, 0);
    CHECK_EQ(fds1, fds0);
    /* Allocator bookkeeping may move by a few hundred bytes; a leak of even
     * one byte per cycle would show as 10000. */
    CHECK(heap1 <= heap0 + 1024);
    sptcp_server_free(s);
    return check_summary("test_soak");
}
