/* Must FAIL under ThreadSanitizer: two threads use one peer at once, which
 * the contract forbids, so TSan must see the race inside the library.
 * `make check-tsan` runs it to prove the library is instrumented.
 *
 * The race has to be seen on every run, even on one CPU: each thread writes
 * once, then waits (spinning on relaxed atomics, which give TSan no
 * happens-before edge) until the other thread has written too, and only
 * then exits. Without that wait the first thread can finish before the
 * second starts, and TSan, which reuses a finished thread's slot, then
 * misses the race (seen in CI). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include "streampeer_tcp.h"

static atomic_int wrote[2];

struct job {
    sptcp_peer *peer;
    int me;
};

static void *hammer(void *arg) {
    struct job *job = arg;
    sptcp_set_connect_timeout_ms(job->peer, (uint32_t)(1000 + job->me));
    atomic_store_explicit(&wrote[job->me], 1, memory_order_relaxed);
    while (!atomic_load_explicit(&wrote[1 - job->me], memory_order_relaxed)) {
        sched_yield();
    }
    sptcp_set_connect_timeout_ms(job->peer, (uint32_t)(2000 + job->me));
    return NULL;
}

int main(void) {
    sptcp_peer *p = sptcp_peer_new();
    struct job jobs[2] = {{p, 0}, {p, 1}};
    pthread_t a, b;
    pthread_create(&a, NULL, hammer, &jobs[0]);
    pthread_create(&b, NULL, hammer, &jobs[1]);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("tsan-canary: %u\n", sptcp_get_connect_timeout_ms(p));
    sptcp_peer_free(p);
    return 0;
}
