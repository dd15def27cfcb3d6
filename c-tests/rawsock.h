/* Plain sockets for the misbehaving far end of a test connection: resets
 * (SO_LINGER 0), silent readers. Loopback only. BSD sockets, or Winsock
 * when the tests are built for Windows (raw_close, RAW_NOSIGNAL). */
#ifndef SPTCP_RAWSOCK_H
#define SPTCP_RAWSOCK_H

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#define RAW_NOSIGNAL 0
typedef int socklen_t_;
static inline void raw_init(void) {
    static int done;
    WSADATA w;
    if (!done) {
        WSAStartup(MAKEWORD(2, 2), &w);
        done = 1;
    }
}
static inline void raw_close(int fd) {
    closesocket((SOCKET)fd);
}
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#define RAW_NOSIGNAL MSG_NOSIGNAL
typedef socklen_t socklen_t_;
static inline void raw_init(void) {
}
static inline void raw_close(int fd) {
    close(fd);
}
#endif

/* A raw IPv4 listener on 127.0.0.1 with an ephemeral port. */
static inline int raw_listen(int *port) {
    raw_init();
    int fd = (int)socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t_ len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* A plain blocking client socket connected to 127.0.0.1:port, or -1. */
static inline int raw_connect(int port) {
    raw_init();
    int fd = (int)socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) {
            raw_close(fd);
        }
        return -1;
    }
    return fd;
}

/* Closes with SO_LINGER 0, which sends a reset. */
static inline void raw_reset(int fd) {
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof lg);
    raw_close(fd);
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
        raw_close(lfd);
        return -1;
    }
    int fd = (int)accept(lfd, NULL, NULL);
    raw_close(lfd);
    if (fd < 0 || poll_until(*client, SPTCP_STATUS_CONNECTED, 5000) != SPTCP_STATUS_CONNECTED) {
        return -1;
    }
    return fd;
}

#endif
