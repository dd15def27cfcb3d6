/* Plain POSIX sockets for the misbehaving far end of a test connection:
 * resets (SO_LINGER 0), silent readers. Loopback only. */
#ifndef SPTCP_RAWSOCK_H
#define SPTCP_RAWSOCK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A raw IPv4 listener on 127.0.0.1 with an ephemeral port. */
static inline int raw_listen(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* A plain blocking client socket connected to 127.0.0.1:port, or -1. */
static inline int raw_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

/* Closes with SO_LINGER 0, which sends a reset. */
static inline void raw_reset(int fd) {
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* A sptcp client connected to a raw listener; returns the accepted fd. */
static inline int raw_pair(sptcp_peer **client) {
    int port = 0;
    int lfd = raw_listen(&port);
    if (lfd < 0) {
        return -1;
    }
    *client = sptcp_peer_new();
    if (sptcp_connect_to_host(*client, "127.0.0.1", port) != SPTCP_OK) {
        close(lfd);
        return -1;
    }
    int fd = accept(lfd, NULL, NULL);
    close(lfd);
    if (fd < 0 || poll_until(*client, SPTCP_STATUS_CONNECTED, 5000) != SPTCP_STATUS_CONNECTED) {
        return -1;
    }
    return fd;
}

#endif
