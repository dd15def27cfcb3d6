/* Unix domain sockets (StreamPeerUDS, UDSServer): the TCP server scenarios
 * ported to paths, the path rules (length, stale and live socket files,
 * files that are not sockets), the calls of one kind on the other, and the
 * connect timeout with a full backlog. Every path lives in a directory this
 * test makes and removes. */
#include "check.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char dir[64];


/* dir/name in a static buffer (one of four, so a few may be alive). */
static const char *at(const char *name) {
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

static int exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

static int is_socket(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int recv_exact(sptcp_peer *p, void *buf, size_t n) {
    size_t got = 0;
    return sptcp_get_data(p, buf, n, &got) == SPTCP_OK && got == n;
}

/* A raw AF_UNIX socket bound to `path` (and listening when asked), made
 * without the library. */
static int raw_bound(const char *path, int listening) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        (listening && listen(fd, 1) != 0)) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

static int raw_connect(const char *path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A client connected to `s` (listening on `path`) and the peer taken for
 * it. Returns 0 on success. */
static int uds_pair(sptcp_server *s, const char *path, sptcp_peer **client, sptcp_peer **accepted) {
    *accepted = NULL;
    *client = sptcp_uds_new();
    if (sptcp_uds_connect_to_host(*client, path) != SPTCP_OK) {
        return -1;
    }
    if (poll_until(*client, SPTCP_STATUS_CONNECTED, 5000) != SPTCP_STATUS_CONNECTED) {
        return -1;
    }
    *accepted = take_within(s, 5000);
    return *accepted == NULL ? -1 : 0;
}

static void null_and_kinds(void) {
    CHECK_EQ(sptcp_uds_bind(NULL, "x"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_uds_connect_to_host(NULL, "x"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_uds_server_listen(NULL, "x"), SPTCP_ERR_INVALID_PARAMETER);
    char buf[8] = "junk";
    CHECK_EQ(sptcp_uds_get_connected_path(NULL, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    CHECK_EQ(sptcp_uds_get_connected_path(NULL, NULL, 0), 0);

    sptcp_peer *u = sptcp_uds_new();
    NEED(u != NULL);
    CHECK_EQ(sptcp_uds_bind(u, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_uds_connect_to_host(u, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_uds_connect_to_host(u, "\x80"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_get_status(u), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_poll(u), SPTCP_OK);
    CHECK_EQ(sptcp_get_available_bytes(u), -1);
    CHECK_EQ(sptcp_get_connect_timeout_ms(u), 30000);
    sptcp_set_connect_timeout_ms(u, 1234);
    CHECK_EQ(sptcp_get_connect_timeout_ms(u), 1234);
    /* TCP calls on a Unix domain peer. */
    CHECK_EQ(sptcp_connect_to_host(u, "127.0.0.1", 80), SPTCP_ERR_UNAVAILABLE);
    CHECK(strstr(sptcp_last_error_message(), "not a TCP peer") != NULL);
    CHECK_EQ(sptcp_bind(u, 0, "*"), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_get_connected_port(u), 0);
    CHECK_EQ(sptcp_get_local_port(u), 0);
    CHECK_EQ(sptcp_get_connected_host(u, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    sptcp_set_no_delay(u, true); /* nothing happens, noted */
    CHECK(strstr(sptcp_last_error_message(), "not a TCP peer") != NULL);
    CHECK_EQ(sptcp_buffer_seek(u, 0), SPTCP_ERR_INVALID_PARAMETER);
    /* Data calls before a connection: as on a TCP peer. */
    CHECK_EQ(sptcp_put_u32(u, 1), SPTCP_FAILED);
    CHECK_EQ(sptcp_put_data(u, NULL, 0), SPTCP_OK);
    sptcp_disconnect_from_host(u);
    sptcp_peer_free(u);

    /* Unix domain calls on a TCP peer and on a buffer. */
    sptcp_peer *t = sptcp_peer_new();
    CHECK_EQ(sptcp_uds_connect_to_host(t, at("x")), SPTCP_ERR_UNAVAILABLE);
    CHECK(strstr(sptcp_last_error_message(), "not a Unix domain peer") != NULL);
    CHECK_EQ(sptcp_uds_bind(t, at("x")), SPTCP_ERR_UNAVAILABLE);
    strcpy(buf, "junk");
    CHECK_EQ(sptcp_uds_get_connected_path(t, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    sptcp_peer_free(t);
    sptcp_peer *b = sptcp_buffer_new();
    CHECK_EQ(sptcp_uds_connect_to_host(b, at("x")), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_poll(b), SPTCP_ERR_UNAVAILABLE);
    sptcp_peer_free(b);
    CHECK(!exists(at("x")));

    /* Server kinds. */
    sptcp_server *us = sptcp_uds_server_new();
    NEED(us != NULL);
    CHECK(!sptcp_server_is_listening(us));
    CHECK(!sptcp_server_is_connection_available(us));
    CHECK(sptcp_server_take_connection(us) == NULL);
    CHECK_EQ(sptcp_server_listen(us, 0, "127.0.0.1"), SPTCP_ERR_UNAVAILABLE);
    CHECK(strstr(sptcp_last_error_message(), "not a TCP server") != NULL);
    CHECK_EQ(sptcp_uds_server_listen(us, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_server_get_local_port(us), 0);
    sptcp_server_stop(us);
    sptcp_server_free(us);
    sptcp_server *ts = sptcp_server_new();
    CHECK_EQ(sptcp_uds_server_listen(ts, at("x")), SPTCP_ERR_UNAVAILABLE);
    CHECK(strstr(sptcp_last_error_message(), "not a Unix domain server") != NULL);
    sptcp_server_free(ts);
    CHECK(!exists(at("x")));
}

/* Paths: empty, the longest allowed (107 bytes on Linux), one too long. */
static void path_length(void) {
    sptcp_server *s = sptcp_uds_server_new();
    sptcp_peer *p = sptcp_uds_new();
    CHECK_EQ(sptcp_uds_server_listen(s, ""), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(strstr(sptcp_last_error_message(), "empty") != NULL);
    CHECK_EQ(sptcp_uds_connect_to_host(p, ""), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_uds_bind(p, ""), SPTCP_ERR_INVALID_PARAMETER);

    size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
    char longest[256], too_long[256];
    size_t base = strlen(dir) + 1;
    NEED(base + 1 < max);
    snprintf(longest, sizeof longest, "%s/", dir);
    memset(longest + base, 'a', max - base);
    longest[max] = '\0';
    snprintf(too_long, sizeof too_long, "%s/", dir);
    memset(too_long + base, 'b', max + 1 - base);
    too_long[max + 1] = '\0';
    CHECK_EQ(strlen(longest), max);

    CHECK_EQ(sptcp_uds_server_listen(s, too_long), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(strstr(sptcp_last_error_message(), "at most") != NULL);
    CHECK(!sptcp_server_is_listening(s));
    CHECK_EQ(sptcp_uds_connect_to_host(p, too_long), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_uds_bind(p, too_long), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(!exists(too_long));

    CHECK_EQ(sptcp_uds_server_listen(s, longest), SPTCP_OK);
    CHECK(is_socket(longest));
    sptcp_peer *c = NULL, *a = NULL;
    CHECK_EQ(uds_pair(s, longest, &c, &a), 0);
    char got[256];
    CHECK_EQ(sptcp_uds_get_connected_path(c, got, sizeof got), max);
    CHECK_STR(got, longest);
    /* snprintf-style truncation. */
    char small[5];
    CHECK_EQ(sptcp_uds_get_connected_path(c, small, sizeof small), max);
    CHECK(strlen(small) == 4 && strncmp(small, longest, 4) == 0);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s); /* free stops and removes the file */
    CHECK(!exists(longest));
    sptcp_peer_free(p);
}

/* What is already at the path: files that are not sockets are never
 * removed; a stale socket is replaced; a live one is not taken over. */
static void existing_paths(void) {
    sptcp_server *s = sptcp_uds_server_new();
    /* A regular file. */
    const char *file = at("file");
    FILE *f = fopen(file, "w");
    NEED(f != NULL);
    fputs("keep me", f);
    fclose(f);
    CHECK_EQ(sptcp_uds_server_listen(s, file), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(strstr(sptcp_last_error_message(), "not a socket") != NULL);
    sptcp_peer *p = sptcp_uds_new();
    CHECK_EQ(sptcp_uds_bind(p, file), SPTCP_ERR_ALREADY_EXISTS);
    CHECK_EQ(sptcp_uds_connect_to_host(p, file), SPTCP_FAILED); /* not a server */
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);
    struct stat st;
    CHECK(lstat(file, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 7);
    /* A directory and a symbolic link (dangling, and to a socket). */
    const char *sub = at("sub");
    CHECK(mkdir(sub, 0700) == 0);
    CHECK_EQ(sptcp_uds_server_listen(s, sub), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(lstat(sub, &st) == 0 && S_ISDIR(st.st_mode));
    const char *link = at("link");
    CHECK(symlink(at("nowhere"), link) == 0);
    CHECK_EQ(sptcp_uds_server_listen(s, link), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(!exists(at("nowhere")));
    CHECK(!sptcp_server_is_listening(s));
    /* A directory that does not exist: the bind fails. */
    CHECK_EQ(sptcp_uds_server_listen(s, at("missing/dir.sock")), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(strstr(sptcp_last_error_message(), "bind") != NULL);

    /* A stale socket file (its program died without removing it). */
    const char *stale = at("stale.sock");
    int fd = raw_bound(stale, 0);
    NEED(fd >= 0);
    close(fd);
    CHECK(is_socket(stale));
    CHECK_EQ(sptcp_uds_connect_to_host(p, stale), SPTCP_FAILED); /* nobody listens */
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);
    CHECK(strstr(sptcp_last_error_message(), "refused") != NULL);
    CHECK_EQ(sptcp_uds_server_listen(s, stale), SPTCP_OK);
    sptcp_peer *c = NULL, *a = NULL;
    CHECK_EQ(uds_pair(s, stale, &c, &a), 0);
    sptcp_peer_free(a);
    sptcp_peer_free(c);

    /* A live socket: a second server does not take it over, and listening
     * twice on one server is ALREADY_IN_USE. */
    CHECK_EQ(sptcp_uds_server_listen(s, at("other.sock")), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(strstr(sptcp_last_error_message(), "already listening") != NULL);
    CHECK(!exists(at("other.sock")));
    sptcp_server *t = sptcp_uds_server_new();
    CHECK_EQ(sptcp_uds_server_listen(t, stale), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(strstr(sptcp_last_error_message(), "already listening") != NULL);
    CHECK(!sptcp_server_is_listening(t));
    CHECK_EQ(sptcp_uds_bind(p, stale), SPTCP_ERR_UNAVAILABLE);
    /* The first server still serves (the probe's connection is taken and
     * is already closed by its side). */
    c = a = NULL;
    CHECK_EQ(uds_pair(s, stale, &c, &a), 0);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    /* A raw live listener: same rule. */
    const char *raw = at("raw.sock");
    int lfd = raw_bound(raw, 1);
    NEED(lfd >= 0);
    CHECK_EQ(sptcp_uds_server_listen(t, raw), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(is_socket(raw));
    close(lfd);
    /* Now it is stale: replaced. */
    CHECK_EQ(sptcp_uds_server_listen(t, raw), SPTCP_OK);

    /* stop removes the socket file it made... */
    sptcp_server_stop(s);
    CHECK(!exists(stale));
    CHECK(!sptcp_server_is_listening(s));
    sptcp_server_stop(s); /* idempotent */
    /* ...but not a file that replaced it since. */
    CHECK(unlink(raw) == 0);
    f = fopen(raw, "w");
    NEED(f != NULL);
    fclose(f);
    sptcp_server_stop(t);
    CHECK(lstat(raw, &st) == 0 && S_ISREG(st.st_mode));
    /* listen again after stop. */
    CHECK_EQ(sptcp_uds_server_listen(s, stale), SPTCP_OK);
    CHECK(is_socket(stale));
    sptcp_server_free(s);
    CHECK(!exists(stale));
    sptcp_server_free(t);
    sptcp_peer_free(p);
    unlink(raw);
    unlink(file);
    unlink(link);
    rmdir(sub);
}

/* Godot: "Accept a connection and receive/send data", over a path. */
static void accept_and_exchange(void) {
    const char *path = at("game.sock");
    sptcp_server *s = sptcp_uds_server_new();
    CHECK_EQ(sptcp_uds_server_listen(s, path), SPTCP_OK);
    CHECK(sptcp_server_is_listening(s));
    CHECK(!sptcp_server_is_connection_available(s));
    CHECK(sptcp_server_take_connection(s) == NULL);
    sptcp_peer *c = sptcp_uds_new();
    CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_OK);
    /* A Unix domain connect is done at once unless the backlog is full. */
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_ERR_ALREADY_IN_USE);
    sptcp_peer *a = take_within(s, 5000);
    NEED(a != NULL);
    CHECK_EQ(sptcp_get_status(a), SPTCP_STATUS_CONNECTED);
    char got[128];
    CHECK_EQ(sptcp_uds_get_connected_path(c, got, sizeof got), strlen(path));
    CHECK_STR(got, path);
    CHECK_EQ(sptcp_uds_get_connected_path(a, got, sizeof got), 0); /* as Godot */
    CHECK_STR(got, "");

    const char hello[] = "Hello, World!";
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)hello, sizeof hello), SPTCP_OK);
    char buf[64] = {0};
    CHECK(recv_exact(a, buf, sizeof hello));
    CHECK_STR(buf, hello);
    /* Typed values, strings and Variants, both ways. */
    CHECK_EQ(sptcp_put_u32(a, 0xdeadbeef), SPTCP_OK);
    CHECK_EQ(sptcp_put_utf8_string(a, "h\xc3\xa9llo"), SPTCP_OK);
    sptcp_variant *v = sptcp_variant_new_int(-42);
    CHECK_EQ(sptcp_put_var(a, v, false), SPTCP_OK);
    sptcp_variant_free(v);
    uint32_t u = 0;
    CHECK_EQ(sptcp_get_u32(c, &u), SPTCP_OK);
    CHECK_EQ(u, 0xdeadbeef);
    CHECK_EQ(sptcp_get_available_bytes(c) > 0, 1);
    char *str = NULL;
    size_t len = 0;
    CHECK_EQ(sptcp_get_utf8_string(c, -1, &str, &len), SPTCP_OK);
    CHECK_STR(str, "h\xc3\xa9llo");
    sptcp_string_free(str);
    sptcp_variant *w = NULL;
    CHECK_EQ(sptcp_get_var(c, false, &w), SPTCP_OK);
    int64_t i = 0;
    CHECK_EQ(sptcp_variant_get_int(w, &i), SPTCP_OK);
    CHECK_EQ(i, -42);
    sptcp_variant_free(w);
    /* Partial calls. */
    size_t n = 99;
    CHECK_EQ(sptcp_get_partial_data(a, (uint8_t *)buf, sizeof buf, &n), SPTCP_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(sptcp_put_partial_data(c, (const uint8_t *)"xyz", 3, &n), SPTCP_OK);
    CHECK_EQ(n, 3);
    CHECK(recv_exact(a, buf, 3) && memcmp(buf, "xyz", 3) == 0);
    /* Taken peers outlive the server, whose file is gone once freed. */
    sptcp_server_free(s);
    CHECK(!exists(path));
    CHECK_EQ(sptcp_put_data(a, (const uint8_t *)"x", 1), SPTCP_OK);
    CHECK(recv_exact(c, buf, 1) && buf[0] == 'x');
    sptcp_peer_free(a);
    sptcp_peer_free(c);
}

/* Godot: "Connect multiple clients": five, taken in connect order. */
static void five_clients(void) {
    const char *path = at("five.sock");
    sptcp_server *s = sptcp_uds_server_new();
    CHECK_EQ(sptcp_uds_server_listen(s, path), SPTCP_OK);
    sptcp_peer *clients[5];
    sptcp_peer *taken[5] = {0};
    for (int i = 0; i < 5; i++) {
        clients[i] = sptcp_uds_new();
        CHECK_EQ(sptcp_uds_connect_to_host(clients[i], path), SPTCP_OK);
        CHECK_EQ(poll_until(clients[i], SPTCP_STATUS_CONNECTED, 2000), SPTCP_STATUS_CONNECTED);
    }
    for (int i = 0; i < 5; i++) {
        taken[i] = take_within(s, 5000);
        CHECK(taken[i] != NULL);
    }
    for (int i = 0; i < 5; i++) {
        if (taken[i] == NULL) {
            continue;
        }
        /* Data sent by client i arrives at the i-th taken peer. */
        uint8_t b = (uint8_t)(0x40 + i), got = 0;
        CHECK_EQ(sptcp_put_data(clients[i], &b, 1), SPTCP_OK);
        CHECK(recv_exact(taken[i], &got, 1));
        CHECK_EQ(got, 0x40 + i);
    }
    for (int i = 0; i < 5; i++) {
        sptcp_peer_free(taken[i]);
        sptcp_peer_free(clients[i]);
    }
    sptcp_server_free(s);
}

/* Godot: "Connect to a stopped server": the connect fails at once with
 * FAILED and the status stays NONE (a Unix domain connect to a path with
 * no server is refused immediately). */
static void stopped_server(void) {
    const char *path = at("stopped.sock");
    sptcp_server *s = sptcp_uds_server_new();
    CHECK_EQ(sptcp_uds_server_listen(s, path), SPTCP_OK);
    sptcp_server_stop(s);
    CHECK(!exists(path));
    sptcp_peer *c = sptcp_uds_new();
    CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_FAILED);
    CHECK(OS_SAYS("No such file", "10061"));
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_get_available_bytes(c), -1);
    char got[8] = "junk";
    CHECK_EQ(sptcp_uds_get_connected_path(c, got, sizeof got), 0);
    CHECK_STR(got, "");
    /* The peer can be used again. */
    CHECK_EQ(sptcp_uds_server_listen(s, path), SPTCP_OK);
    CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_OK);
    sptcp_peer *a = take_within(s, 5000);
    CHECK(a != NULL);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

/* Godot: "Server should be able to disconnect client". */
static void server_disconnects_client(void) {
    const char *path = at("disc.sock");
    sptcp_server *s = sptcp_uds_server_new();
    CHECK_EQ(sptcp_uds_server_listen(s, path), SPTCP_OK);
    sptcp_peer *c = NULL, *a = NULL;
    CHECK_EQ(uds_pair(s, path, &c, &a), 0);
    if (a != NULL) {
        /* Bytes sent before the close are still read first. */
        CHECK_EQ(sptcp_put_u16(a, 7), SPTCP_OK);
        sptcp_disconnect_from_host(a);
        CHECK_EQ(sptcp_get_status(a), SPTCP_STATUS_NONE);
        CHECK_EQ(sptcp_poll(c), SPTCP_OK);
        CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTED);
        uint16_t v = 0;
        CHECK_EQ(sptcp_get_u16(c, &v), SPTCP_OK);
        CHECK_EQ(v, 7);
        CHECK_EQ(poll_until(c, SPTCP_STATUS_NONE, 5000), SPTCP_STATUS_NONE);
        CHECK_EQ(sptcp_get_available_bytes(c), -1);
        char got[8] = "junk";
        CHECK_EQ(sptcp_uds_get_connected_path(c, got, sizeof got), 0);
        CHECK_STR(got, "");
    }
    /* A read on a closed connection: FILE_EOF, status NONE. */
    sptcp_peer_free(a);
    a = NULL;
    sptcp_peer_free(c);
    CHECK_EQ(uds_pair(s, path, &c, &a), 0);
    sptcp_peer_free(a);
    uint8_t b;
    size_t n = 9;
    CHECK_EQ(sptcp_get_data(c, &b, 1, &n), SPTCP_ERR_FILE_EOF);
    CHECK_EQ(n, 0);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_NONE);
    sptcp_peer_free(c);
    /* A write to a closed connection fails without SIGPIPE. */
    CHECK_EQ(uds_pair(s, path, &c, &a), 0);
    sptcp_peer_free(a);
    static uint8_t chunk[65536];
    sptcp_error e = SPTCP_OK;
    for (int i = 0; i < 64 && e == SPTCP_OK; i++) {
        e = sptcp_put_data(c, chunk, sizeof chunk);
    }
    CHECK_EQ(e, SPTCP_FAILED);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_NONE);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

/* 8 MiB each way at once: one thread writes while the other reads. */
#define BULK (8u << 20)
struct bulk {
    sptcp_peer *peer;
    uint8_t seed;
    sptcp_error result;
};

static void *bulk_writer(void *arg) {
    struct bulk *w = arg;
    static uint8_t chunks[2][65536];
    uint8_t *chunk = chunks[w->seed & 1];
    w->result = SPTCP_OK;
    for (size_t off = 0; off < BULK && w->result == SPTCP_OK; off += sizeof chunks[0]) {
        for (size_t i = 0; i < sizeof chunks[0]; i++) {
            chunk[i] = (uint8_t)((off + i) * 31u + w->seed);
        }
        w->result = sptcp_put_data(w->peer, chunk, sizeof chunks[0]);
    }
    return NULL;
}

static int bulk_read(sptcp_peer *p, uint8_t seed) {
    static uint8_t buf[100000];
    size_t total = 0;
    while (total < BULK) {
        size_t want = BULK - total < sizeof buf ? BULK - total : sizeof buf;
        size_t got = 0;
        if (sptcp_get_data(p, buf, want, &got) != SPTCP_OK || got != want) {
            return 0;
        }
        for (size_t i = 0; i < got; i++) {
            if (buf[i] != (uint8_t)((total + i) * 31u + seed)) {
                return 0;
            }
        }
        total += got;
    }
    return 1;
}

static void bulk_both_ways(void) {
    const char *path = at("bulk.sock");
    sptcp_server *s = sptcp_uds_server_new();
    CHECK_EQ(sptcp_uds_server_listen(s, path), SPTCP_OK);
    sptcp_peer *c = NULL, *a = NULL;
    NEED(uds_pair(s, path, &c, &a) == 0);
    /* Each peer is used by one thread: c writes in the thread and a reads
     * here; then a writes in the thread and c reads here. */
    struct bulk w = {c, 1, SPTCP_ERR_BUG};
    pthread_t th;
    NEED(pthread_create(&th, NULL, bulk_writer, &w) == 0);
    CHECK(bulk_read(a, 1));
    pthread_join(th, NULL);
    CHECK_EQ(w.result, SPTCP_OK);
    struct bulk w2 = {a, 2, SPTCP_ERR_BUG};
    NEED(pthread_create(&th, NULL, bulk_writer, &w2) == 0);
    CHECK(bulk_read(c, 2));
    pthread_join(th, NULL);
    CHECK_EQ(w2.result, SPTCP_OK);
    CHECK_EQ(sptcp_get_available_bytes(c), 0);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

/* A bound client: the file exists while the socket is open, and is
 * removed when it closes. */
static void bound_client(void) {
    const char *path = at("srv.sock");
    const char *mine = at("client.sock");
    sptcp_server *s = sptcp_uds_server_new();
    CHECK_EQ(sptcp_uds_server_listen(s, path), SPTCP_OK);
    sptcp_peer *c = sptcp_uds_new();
    CHECK_EQ(sptcp_uds_bind(c, mine), SPTCP_OK);
    CHECK(is_socket(mine));
    CHECK_EQ(sptcp_uds_bind(c, mine), SPTCP_ERR_ALREADY_IN_USE);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_OK);
    sptcp_peer *a = take_within(s, 5000);
    CHECK(a != NULL);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(sptcp_put_8(c, -5), SPTCP_OK);
    int8_t got = 0;
    CHECK_EQ(sptcp_get_8(a, &got), SPTCP_OK);
    CHECK_EQ(got, -5);
    sptcp_disconnect_from_host(c);
    CHECK(!exists(mine));
    /* Bind again after the disconnect, then free: the file goes too. */
    CHECK_EQ(sptcp_uds_bind(c, mine), SPTCP_OK);
    CHECK(is_socket(mine));
    sptcp_peer_free(c);
    CHECK(!exists(mine));
    sptcp_peer_free(a);
    sptcp_server_free(s);
}

/* With the server's backlog full, a connect stays CONNECTING and the
 * connect timeout ends it in ERROR with CONNECTION_ERROR, as in Godot. */
static void connect_timeout(void) {
    const char *path = at("full.sock");
    int lfd = raw_bound(path, 1);
    NEED(lfd >= 0);
    int fds[64];
    int nfd = 0;
    sptcp_peer *c = sptcp_uds_new();
    sptcp_set_connect_timeout_ms(c, 300);
    sptcp_error e = SPTCP_OK;
    /* Fill the backlog with connections nobody accepts (non-blocking so
     * that the one that would wait fails instead). */
    for (; nfd < 64; nfd++) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        struct sockaddr_un a;
        memset(&a, 0, sizeof a);
        a.sun_family = AF_UNIX;
        snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
            close(fd);
            break;
        }
        fds[nfd] = fd;
    }
    CHECK(nfd < 64);
    e = sptcp_uds_connect_to_host(c, path);
    CHECK_EQ(e, SPTCP_OK);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTING);
    long long start = now_ms();
    sptcp_error last = SPTCP_OK;
    while (sptcp_get_status(c) == SPTCP_STATUS_CONNECTING && now_ms() - start < 3000) {
        last = sptcp_poll(c);
        sleep_ms(5);
    }
    long long took = now_ms() - start;
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_ERROR);
    CHECK_EQ(last, SPTCP_ERR_CONNECTION_ERROR);
    CHECK(strstr(sptcp_last_error_message(), "timed out") != NULL);
    CHECK(took >= 250 && took < 2000);
    /* ERROR until disconnect; then the peer connects once there is room. */
    CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_ERR_ALREADY_IN_USE);
    sptcp_disconnect_from_host(c);
    int accepted = accept(lfd, NULL, NULL);
    CHECK(accepted >= 0);
    CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_OK);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 2000), SPTCP_STATUS_CONNECTED);
    sptcp_peer_free(c);
    if (accepted >= 0) {
        close(accepted);
    }
    for (int i = 0; i < nfd; i++) {
        close(fds[i]);
    }
    close(lfd);
    unlink(path);
}

/* A raw AF_UNIX client against our server and our client against a raw
 * server: the bytes on the wire are exactly the typed values. */
static void raw_peers(void) {
    const char *path = at("raw2.sock");
    sptcp_server *s = sptcp_uds_server_new();
    CHECK_EQ(sptcp_uds_server_listen(s, path), SPTCP_OK);
    int fd = raw_connect(path);
    NEED(fd >= 0);
    sptcp_peer *a = take_within(s, 5000);
    NEED(a != NULL);
    CHECK_EQ(sptcp_put_u32(a, 0x01020304), SPTCP_OK);
    uint8_t wire[4] = {0};
    CHECK_EQ(read(fd, wire, 4), 4);
    CHECK(wire[0] == 4 && wire[1] == 3 && wire[2] == 2 && wire[3] == 1);
    CHECK_EQ(write(fd, "\x05\x00\x00\x00hello", 9), 9);
    char *str = NULL;
    CHECK_EQ(sptcp_get_utf8_string(a, -1, &str, NULL), SPTCP_OK);
    CHECK_STR(str, "hello");
    sptcp_string_free(str);
    close(fd);
    sptcp_peer_free(a);
    sptcp_server_free(s);
}

static void cleanup(void) {
    const char *names[] = {"x", "file", "link", "stale.sock", "raw.sock", "other.sock",
                           "game.sock", "five.sock", "stopped.sock", "disc.sock", "bulk.sock",
                           "srv.sock", "client.sock", "full.sock", "raw2.sock"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        unlink(at(names[i]));
    }
    rmdir(at("sub"));
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/sptcp-uds-XXXXXX");
    REQUIRE(mkdtemp(dir) != NULL);
    null_and_kinds();
    path_length();
    existing_paths();
    accept_and_exchange();
    five_clients();
    stopped_server();
    server_disconnects_client();
    bulk_both_ways();
    bound_client();
    connect_timeout();
    raw_peers();
    cleanup();
    /* Nothing left behind: the directory is empty and can be removed. */
    CHECK(rmdir(dir) == 0);
    return check_summary("test_uds");
}
