/* StreamPeerTCP on its own: NULL handles, bad input, bind, connect checks,
 * refused connects and the connect timeout. */
#include "check.h"

#include "rawsock.h"

static void null_handles(void) {
    char buf[8] = "xxxxxxx";
    size_t n = 99;
    uint8_t data[4] = {1, 2, 3, 4};
    sptcp_peer_free(NULL); /* no-op */
    CHECK_EQ(sptcp_bind(NULL, 0, "*"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_connect_to_host(NULL, "127.0.0.1", 80), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_disconnect_from_host(NULL);
    CHECK(strstr(sptcp_last_error_message(), "sptcp_disconnect_from_host: peer is NULL") != NULL);
    CHECK_EQ(sptcp_get_connected_host(NULL, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    CHECK_EQ(sptcp_get_connected_port(NULL), 0);
    CHECK_EQ(sptcp_get_local_port(NULL), 0);
    CHECK_EQ(sptcp_get_status(NULL), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_poll(NULL), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_set_no_delay(NULL, true);
    sptcp_set_connect_timeout_ms(NULL, 5);
    CHECK_EQ(sptcp_get_connect_timeout_ms(NULL), 0);
    CHECK_EQ(sptcp_put_data(NULL, data, 4), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_partial_data(NULL, data, 4, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(n, 0);
    n = 99;
    CHECK_EQ(sptcp_get_data(NULL, data, 4, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(n, 0);
    n = 99;
    CHECK_EQ(sptcp_get_partial_data(NULL, data, 4, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(n, 0);
    CHECK_EQ(sptcp_get_available_bytes(NULL), -1);
}

static void fresh_peer(void) {
    sptcp_peer *p = sptcp_peer_new();
    char buf[SPTCP_HOST_MAX];
    memset(buf, 'x', sizeof buf);
    CHECK(p != NULL);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_get_connected_host(p, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    CHECK_EQ(sptcp_get_connected_host(p, NULL, 0), 0);
    CHECK_EQ(sptcp_get_connected_port(p), 0);
    CHECK_EQ(sptcp_get_local_port(p), 0); /* no socket */
    CHECK_EQ(sptcp_get_available_bytes(p), -1);
    CHECK_EQ(sptcp_get_connect_timeout_ms(p), 30000);
    sptcp_set_connect_timeout_ms(p, 1234);
    CHECK_EQ(sptcp_get_connect_timeout_ms(p), 1234);
    CHECK_EQ(sptcp_poll(p), SPTCP_OK); /* NONE: nothing to do */
    sptcp_set_no_delay(p, true);       /* no socket: nothing happens */
    CHECK(strstr(sptcp_last_error_message(), "no socket") != NULL);
    sptcp_disconnect_from_host(p);
    sptcp_disconnect_from_host(p); /* idempotent */
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);

    /* Data calls need a connection; len 0 put_data is OK regardless. */
    uint8_t b[4] = {0};
    size_t n = 77;
    CHECK_EQ(sptcp_put_data(p, b, 4), SPTCP_FAILED);
    CHECK_EQ(sptcp_put_data(p, NULL, 0), SPTCP_OK);
    CHECK_EQ(sptcp_put_partial_data(p, NULL, 0, &n), SPTCP_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(sptcp_put_partial_data(p, b, 4, &n), SPTCP_FAILED);
    CHECK_EQ(n, 0);
    b[0] = b[1] = b[2] = b[3] = 0xAB;
    n = 77;
    CHECK_EQ(sptcp_get_data(p, b, 4, &n), SPTCP_FAILED);
    CHECK_EQ(n, 0);
    CHECK(b[0] == 0 && b[3] == 0); /* unread tail zero-filled */
    CHECK_EQ(sptcp_get_partial_data(p, b, 4, NULL), SPTCP_FAILED);
    CHECK_EQ(sptcp_get_data(p, NULL, 4, &n), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_peer_free(p);
}

static void bind_checks(void) {
    sptcp_peer *p = sptcp_peer_new();
    CHECK_EQ(sptcp_bind(p, -1, "*"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(strstr(sptcp_last_error_message(), "between 0 and 65535") != NULL);
    CHECK_EQ(sptcp_bind(p, 65536, "*"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_bind(p, 70000, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_bind(p, 0, "localhost"), SPTCP_ERR_INVALID_PARAMETER); /* not resolved */
    CHECK_EQ(sptcp_bind(p, 0, "not an ip"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_bind(p, 0, "\xff\xfe"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(strstr(sptcp_last_error_message(), "UTF-8") != NULL);
    /* Unlike Godot, a bad address leaves no socket: binding again works. */
    CHECK_EQ(sptcp_get_local_port(p), 0);
    CHECK_EQ(sptcp_bind(p, 0, "127.0.0.1"), SPTCP_OK);
    int port = sptcp_get_local_port(p);
    CHECK(port > 0);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE); /* bind does not change status */
    CHECK_EQ(sptcp_get_available_bytes(p), 0);       /* a socket now */
    CHECK_EQ(sptcp_bind(p, 0, "127.0.0.1"), SPTCP_ERR_ALREADY_IN_USE);

    /* The port is taken: the system refuses, ERR_UNAVAILABLE, no socket. */
    sptcp_peer *q = sptcp_peer_new();
    CHECK_EQ(sptcp_bind(q, port, "127.0.0.1"), SPTCP_ERR_UNAVAILABLE);
    CHECK(strstr(sptcp_last_error_message(), "bind to 127.0.0.1") != NULL);
    CHECK_EQ(sptcp_get_local_port(q), 0);
    CHECK_EQ(sptcp_bind(q, 0, NULL), SPTCP_OK); /* NULL means "*" */
    CHECK(sptcp_get_local_port(q) > 0);
    sptcp_disconnect_from_host(q);
    CHECK_EQ(sptcp_get_local_port(q), 0);
    CHECK_EQ(sptcp_bind(q, 0, "::1"), SPTCP_OK);

    /* An IPv6-only socket cannot reach an IPv4 address: FAILED, NONE. */
    CHECK_EQ(sptcp_connect_to_host(q, "127.0.0.1", port), SPTCP_FAILED);
    CHECK_EQ(sptcp_get_status(q), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_get_local_port(q), 0); /* the socket was closed */
    sptcp_peer_free(q);
    sptcp_peer_free(p);
}

static void connect_checks(void) {
    sptcp_peer *p = sptcp_peer_new();
    /* Resolution comes first, before the port and status checks. */
    CHECK_EQ(sptcp_connect_to_host(p, "*", 0), SPTCP_ERR_CANT_RESOLVE);
    CHECK_EQ(sptcp_connect_to_host(p, "nonexistent.invalid", 80), SPTCP_ERR_CANT_RESOLVE);
    CHECK(strstr(sptcp_last_error_message(), "nonexistent.invalid") != NULL);
    CHECK_EQ(sptcp_connect_to_host(p, "[::1]", 80), SPTCP_ERR_CANT_RESOLVE);
    CHECK_EQ(sptcp_connect_to_host(p, NULL, 80), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_connect_to_host(p, "bad\xc3", 80), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", 0), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(strstr(sptcp_last_error_message(), "between 1 and 65535") != NULL);
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", -5), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", 65536), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);
    sptcp_peer_free(p);
}

/* A port with nothing listening: find one by binding and releasing it. */
static int closed_port(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    sptcp_server_free(s);
    return port;
}

static void refused_connect(void) {
    int port = closed_port();
    sptcp_peer *p = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", port), SPTCP_OK);
    sptcp_status st = sptcp_get_status(p);
    CHECK_EQ(st, SPTCP_STATUS_CONNECTING); /* Linux: EINPROGRESS even on loopback */
    /* Already connecting: ERR_ALREADY_IN_USE, as in Godot. */
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", port), SPTCP_ERR_ALREADY_IN_USE);
    sptcp_error last = SPTCP_OK;
    long long end = now_ms() + 5000;
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING && now_ms() < end) {
        last = sptcp_poll(p);
        sleep_ms(1);
    }
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_ERROR);
    CHECK_EQ(last, SPTCP_ERR_CONNECTION_ERROR);
    CHECK(OS_SAYS("refused", "10061"));
    CHECK_EQ(sptcp_get_available_bytes(p), -1); /* socket closed */
    CHECK_EQ(sptcp_poll(p), SPTCP_OK);          /* ERROR: poll does nothing */
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_ERROR);
    /* ERROR is left only through disconnect. */
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", port), SPTCP_ERR_ALREADY_IN_USE);
    sptcp_disconnect_from_host(p);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_NONE);
    sptcp_peer_free(p);
}

/* A connect that never completes: a listener whose accept queue is full
 * drops the SYN, so the connect stays in progress. The peer's own timeout
 * ends it in poll, not before and not long after. */
static void connect_timeout(void) {
    int port = 0;
    int lfd = raw_listen(&port);
    if (lfd < 0) {
        CHECK(!"raw_listen");
        return;
    }
    listen(lfd, 0);
    /* Fill the queue (backlog 0 holds one) with a plain client. */
    int filler = raw_connect(port);
    CHECK(filler >= 0);
    sleep_ms(20);

    sptcp_peer *p = sptcp_peer_new();
    sptcp_set_connect_timeout_ms(p, 400);
    long long start = now_ms();
    CHECK_EQ(sptcp_connect_to_host(p, "127.0.0.1", port), SPTCP_OK);
    sptcp_set_connect_timeout_ms(p, 60000); /* read at connect: no effect now */
    sptcp_error last = SPTCP_OK;
    int connecting_at_200 = -1;
    while (sptcp_get_status(p) == SPTCP_STATUS_CONNECTING && now_ms() - start < 5000) {
        last = sptcp_poll(p);
        if (connecting_at_200 < 0 && now_ms() - start >= 200) {
            connecting_at_200 = sptcp_get_status(p) == SPTCP_STATUS_CONNECTING;
        }
        sleep_ms(2);
    }
    long long elapsed = now_ms() - start;
    CHECK_EQ(connecting_at_200, 1);
    CHECK_EQ(sptcp_get_status(p), SPTCP_STATUS_ERROR);
    CHECK_EQ(last, SPTCP_ERR_CONNECTION_ERROR);
    CHECK(strstr(sptcp_last_error_message(), "timed out after 400 ms") != NULL);
    CHECK(elapsed >= 400);
    CHECK(elapsed < 1900);
    sptcp_peer_free(p);
    raw_close(filler);
    raw_close(lfd);
}

int main(void) {
    null_handles();
    fresh_peer();
    bind_checks();
    connect_checks();
    refused_connect();
    connect_timeout();
    return check_summary("test_peer");
}
