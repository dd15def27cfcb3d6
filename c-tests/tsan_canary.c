/* Must FAIL under ThreadSanitizer: two threads use one peer at once, which
 * the contract forbids, so TSan must see the race inside the library.
 * `make check-tsan` runs it to prove the library is instrumented. */
#include <pthread.h>
#include <stdio.h>

#include "streampeer_tcp.h"

static void *hammer(void *p) {
    for (int i = 0; i < 1000; i++) {
        sptcp_set_connect_timeout_ms((sptcp_peer *)p, (uint32_t)i);
    }
    return NULL;
}

int main(void) {
    sptcp_peer *p = sptcp_peer_new();
    pthread_t a, b;
    pthread_create(&a, NULL, hammer, p);
    pthread_create(&b, NULL, hammer, p);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("tsan-canary: %u\n", sptcp_get_connect_timeout_ms(p));
    sptcp_peer_free(p);
    return 0;
}
