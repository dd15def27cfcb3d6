/* Eight threads at once, each with its own server, client and accepted
 * peer, exchanging thousands of messages (typed values, strings, Variants),
 * resolving "localhost" (the shared resolver cache) and reading their own
 * last error message. Run normally by `make test` and under
 * ThreadSanitizer by `make check-tsan`. */
#include "check.h"

#include <pthread.h>

#define THREADS 8
#define MESSAGES 2000

struct job {
    int id;
    int failures;
    long sum;
};

static void *worker(void *arg) {
    struct job *job = arg;
    sptcp_server *s = sptcp_server_new();
    sptcp_peer *c = NULL, *a = NULL;
    if (start_server(s, "127.0.0.1") <= 0 || connect_pair(s, &c, &a) != 0) {
        job->failures++;
        goto done;
    }
    sptcp_set_no_delay(c, true);
    for (int i = 0; i < MESSAGES; i++) {
        sptcp_variant *msg = sptcp_variant_new_dictionary();
        sptcp_variant_dict_set(msg, sptcp_variant_new_string("thread"), sptcp_variant_new_int(job->id));
        sptcp_variant_dict_set(msg, sptcp_variant_new_string("i"), sptcp_variant_new_int(i));
        if (sptcp_put_u32(c, (uint32_t)i) != SPTCP_OK || sptcp_put_utf8_string(c, "ping") != SPTCP_OK ||
            sptcp_put_var(c, msg, false) != SPTCP_OK) {
            job->failures++;
        }
        sptcp_variant_free(msg);
        uint32_t u = 0;
        char *str = NULL;
        sptcp_variant *got = NULL;
        if (sptcp_get_u32(a, &u) != SPTCP_OK || u != (uint32_t)i) {
            job->failures++;
        }
        if (sptcp_get_utf8_string(a, -1, &str, NULL) != SPTCP_OK || strcmp(str, "ping") != 0) {
            job->failures++;
        }
        sptcp_string_free(str);
        if (sptcp_get_var(a, false, &got) != SPTCP_OK) {
            job->failures++;
        } else {
            sptcp_variant *k = sptcp_variant_new_string("i");
            int64_t v = -1;
            sptcp_variant_get_int(sptcp_variant_dict_get(got, k), &v);
            job->sum += v;
            sptcp_variant_free(k);
            sptcp_variant_free(got);
        }
        if (i % 500 == 0) {
            /* Shared state: the resolver cache and per-thread error text. */
            sptcp_peer *r = sptcp_peer_new();
            sptcp_connect_to_host(r, "localhost", sptcp_server_get_local_port(s));
            sptcp_peer_free(r);
            sptcp_poll(NULL);
            if (strstr(sptcp_last_error_message(), "sptcp_poll") == NULL) {
                job->failures++;
            }
            /* Drain the connection the resolver check made. */
            sptcp_peer *extra = take_within(s, 1000);
            sptcp_peer_free(extra);
        }
    }
done:
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){i, 0, 0};
        pthread_create(&t[i], NULL, worker, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK_EQ(jobs[i].failures, 0);
        CHECK_EQ(jobs[i].sum, (long)MESSAGES * (MESSAGES - 1) / 2);
    }
    return check_summary("test_threads");
}
