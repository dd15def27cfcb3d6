/* A plain C program with the default SIGPIPE disposition writes to a peer
 * that reset and to one that closed: it must survive and get errors. A
 * child process first shows that the same situation kills a program that
 * uses plain send(), so this test can tell the difference. */
#include "check.h"

#include <signal.h>
#include <sys/wait.h>

#include "rawsock.h"

/* Writes through the library until it reports an error (bounded). */
static sptcp_error write_until_error(sptcp_peer *c, int *writes) {
    static const uint8_t data[4096];
    for (*writes = 0; *writes < 200; (*writes)++) {
        size_t sent = 0;
        sptcp_error e = (*writes % 2) ? sptcp_put_data(c, data, sizeof data)
                                      : sptcp_put_partial_data(c, data, sizeof data, &sent);
        if (e != SPTCP_OK) {
            return e;
        }
        sleep_ms(5);
    }
    return SPTCP_OK;
}

/* In a child: a raw socket whose peer closed, written with plain send()
 * until SIGPIPE. Returns 1 if the child died of SIGPIPE. */
static int plain_send_dies(void) {
    pid_t pid = fork();
    if (pid == 0) {
        int port = 0;
        int lfd = raw_listen(&port);
        int cfd = raw_connect(port);
        if (cfd < 0) {
            _exit(2);
        }
        close(accept(lfd, NULL, NULL));
        for (int i = 0; i < 200; i++) {
            send(cfd, "x", 1, 0);
            sleep_ms(5);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE;
}

int main(void) {
    signal(SIGPIPE, SIG_DFL);
    CHECK(plain_send_dies());

    /* A peer that closed (FIN, then RST for our data): EPIPE territory. */
    sptcp_peer *c = NULL;
    int fd = raw_pair(&c);
    REQUIRE(fd >= 0);
    close(fd);
    int writes = 0;
    CHECK_EQ(write_until_error(c, &writes), SPTCP_FAILED);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_NONE);
    /* Once more on the closed peer: still an error, still alive. */
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)"again", 5), SPTCP_FAILED);
    sptcp_peer_free(c);

    /* A peer that reset (linger 0). */
    fd = raw_pair(&c);
    REQUIRE(fd >= 0);
    raw_reset(fd);
    sleep_ms(20);
    CHECK_EQ(write_until_error(c, &writes), SPTCP_FAILED);
    CHECK(writes < 3);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)"again", 5), SPTCP_FAILED);
    sptcp_peer_free(c);

    /* The library did not change the process's SIGPIPE disposition. */
    struct sigaction sa;
    sigaction(SIGPIPE, NULL, &sa);
    CHECK(sa.sa_handler == SIG_DFL);
    return check_summary("test_sigpipe");
}
