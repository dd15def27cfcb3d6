/* TCPServer: Godot's own TCPServer test scenarios on real loopback sockets,
 * plus listen checks, dual stack and NULL handling. */
#include "check.h"

/* Reads exactly n bytes with the blocking get_data. */
static int recv_exact(sptcp_peer *p, void *buf, size_t n) {
    size_t got = 0;
    return sptcp_get_data(p, buf, n, &got) == SPTCP_OK && got == n;
}

static void null_server(void) {
    sptcp_server_free(NULL);
    CHECK_EQ(sptcp_server_listen(NULL, 0, "*"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(!sptcp_server_is_listening(NULL));
    CHECK(!sptcp_server_is_connection_available(NULL));
    CHECK(sptcp_server_take_connection(NULL) == NULL);
    CHECK(strstr(sptcp_last_error_message(), "server is NULL") != NULL);
    CHECK_EQ(sptcp_server_get_local_port(NULL), 0);
    sptcp_server_stop(NULL);
}

static void listen_checks(void) {
    sptcp_server *s = sptcp_server_new();
    CHECK(!sptcp_server_is_listening(s));
    CHECK_EQ(sptcp_server_get_local_port(s), 0);
    CHECK(!sptcp_server_is_connection_available(s));
    CHECK(sptcp_server_take_connection(s) == NULL);
    CHECK_EQ(sptcp_server_listen(s, 0, "localhost"), SPTCP_ERR_INVALID_PARAMETER); /* no DNS */
    CHECK_EQ(sptcp_server_listen(s, -1, "127.0.0.1"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_server_listen(s, 65536, "127.0.0.1"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_server_listen(s, 0, "\x80"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(!sptcp_server_is_listening(s));
    int port = start_server(s, "127.0.0.1");
    CHECK(port > 0);
    CHECK(sptcp_server_is_listening(s));
    CHECK(!sptcp_server_is_connection_available(s));
    CHECK(sptcp_server_take_connection(s) == NULL);
    CHECK(strstr(sptcp_last_error_message(), "no connection") != NULL);
    /* Listening twice: ALREADY_IN_USE, checked before the address. */
    CHECK_EQ(sptcp_server_listen(s, 0, "localhost"), SPTCP_ERR_ALREADY_IN_USE);
    /* The port is taken: any bind failure is ALREADY_IN_USE. */
    sptcp_server *t = sptcp_server_new();
    CHECK_EQ(sptcp_server_listen(t, port, "127.0.0.1"), SPTCP_ERR_ALREADY_IN_USE);
    CHECK(strstr(sptcp_last_error_message(), "bind") != NULL);
    CHECK(!sptcp_server_is_listening(t));
    sptcp_server_stop(s);
    CHECK(!sptcp_server_is_listening(s));
    CHECK_EQ(sptcp_server_get_local_port(s), 0);
    /* SO_REUSEADDR: the port can be listened on again at once. */
    CHECK_EQ(sptcp_server_listen(t, port, "127.0.0.1"), SPTCP_OK);
    CHECK_EQ(sptcp_server_get_local_port(t), port);
    sptcp_server_stop(t);
    sptcp_server_stop(t); /* idempotent */
    CHECK_EQ(sptcp_server_listen(s, 0, NULL), SPTCP_OK); /* NULL = "*" */
    sptcp_server_free(t);
    sptcp_server_free(s); /* frees a listening server */
}

/* Godot: "Connect client" and "Accept a connection and receive/send data". */
static void accept_and_exchange(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    CHECK(port > 0);
    sptcp_peer *c = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTING);
    sptcp_peer *a = take_within(s, 5000);
    CHECK(a != NULL);
    if (a == NULL) {
        sptcp_peer_free(c);
        sptcp_server_free(s);
        return;
    }
    CHECK_EQ(sptcp_get_status(a), SPTCP_STATUS_CONNECTED); /* at once */
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
    char host[SPTCP_HOST_MAX];
    CHECK_EQ(sptcp_get_connected_host(c, host, sizeof host), 9);
    CHECK_STR(host, "127.0.0.1");
    CHECK_EQ(sptcp_get_connected_port(c), port);
    sptcp_get_connected_host(a, host, sizeof host);
    CHECK_STR(host, "127.0.0.1");
    CHECK_EQ(sptcp_get_connected_port(a), sptcp_get_local_port(c));
    CHECK_EQ(sptcp_get_local_port(a), port);

    const char hello[] = "Hello, World!";
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)hello, sizeof hello), SPTCP_OK);
    char buf[64] = {0};
    CHECK(recv_exact(a, buf, sizeof hello));
    CHECK_STR(buf, hello);
    const char reply[] = "Hi from the server";
    CHECK_EQ(sptcp_put_data(a, (const uint8_t *)reply, sizeof reply), SPTCP_OK);
    memset(buf, 0, sizeof buf);
    CHECK(recv_exact(c, buf, sizeof reply));
    CHECK_STR(buf, reply);
    /* Taken peers outlive the server. */
    sptcp_server_free(s);
    CHECK_EQ(sptcp_put_data(a, (const uint8_t *)"x", 1), SPTCP_OK);
    CHECK(recv_exact(c, buf, 1) && buf[0] == 'x');
    sptcp_peer_free(a);
    sptcp_peer_free(c);
}

/* Godot: "Connect multiple clients": five at once, taken in connect order. */
static void five_clients(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    sptcp_peer *clients[5];
    sptcp_peer *taken[5] = {0};
    for (int i = 0; i < 5; i++) {
        clients[i] = sptcp_peer_new();
        CHECK_EQ(sptcp_connect_to_host(clients[i], "127.0.0.1", port), SPTCP_OK);
        /* Let this connection reach the accept queue before the next. */
        long long end = now_ms() + 2000;
        while (sptcp_get_status(clients[i]) != SPTCP_STATUS_CONNECTED && now_ms() < end) {
            sptcp_poll(clients[i]);
            sleep_ms(1);
        }
    }
    for (int i = 0; i < 5; i++) {
        taken[i] = take_within(s, 5000);
        CHECK(taken[i] != NULL);
    }
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(sptcp_get_status(clients[i]), SPTCP_STATUS_CONNECTED);
        if (taken[i] == NULL) {
            continue;
        }
        /* The i-th taken peer is the i-th client: ports match and data
         * sent by client i arrives there. */
        CHECK_EQ(sptcp_get_connected_port(taken[i]), sptcp_get_local_port(clients[i]));
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

/* Godot: "Connect to a stopped server" with a 1 s connect timeout. */
static void stopped_server(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    sptcp_server_stop(s);
    sptcp_peer *c = sptcp_peer_new();
    sptcp_set_connect_timeout_ms(c, 1000);
    long long start = now_ms();
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_ERROR, 3000), SPTCP_STATUS_ERROR);
    CHECK(now_ms() - start < 2500); /* refused long before the timeout */
    CHECK_EQ(sptcp_get_connected_port(c), 0);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

/* Godot: "Server should be able to disconnect client": the client's poll
 * sees NONE. */
static void server_disconnects_client(void) {
    sptcp_server *s = sptcp_server_new();
    start_server(s, "127.0.0.1");
    sptcp_peer *c = NULL, *a = NULL;
    CHECK_EQ(connect_pair(s, &c, &a), 0);
    if (a != NULL) {
        sptcp_disconnect_from_host(a);
        CHECK_EQ(sptcp_get_status(a), SPTCP_STATUS_NONE);
        CHECK_EQ(poll_until(c, SPTCP_STATUS_NONE, 5000), SPTCP_STATUS_NONE);
        CHECK_EQ(sptcp_get_available_bytes(c), -1);
        char host[8] = "x";
        CHECK_EQ(sptcp_get_connected_host(c, host, sizeof host), 0);
        CHECK_STR(host, "");
    }
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

/* "*" listens on IPv4 and IPv6; IPv4 clients show as dotted IPv4 and IPv6
 * ones as eight groups. */
static void dual_stack(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "*");
    CHECK(port > 0);
    const char *hosts[2] = {"127.0.0.1", "::1"};
    const char *shown[2] = {"127.0.0.1", "0:0:0:0:0:0:0:1"};
    for (int i = 0; i < 2; i++) {
        sptcp_peer *c = sptcp_peer_new();
        CHECK_EQ(sptcp_connect_to_host(c, hosts[i], port), SPTCP_OK);
        sptcp_peer *a = take_within(s, 5000);
        CHECK(a != NULL);
        CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
        char host[SPTCP_HOST_MAX];
        sptcp_get_connected_host(a, host, sizeof host);
        CHECK_STR(host, shown[i]);
        sptcp_get_connected_host(c, host, sizeof host);
        CHECK_STR(host, shown[i]);
        /* snprintf-style truncation. */
        char small[4];
        CHECK_EQ(sptcp_get_connected_host(c, small, sizeof small), strlen(shown[i]));
        CHECK(strlen(small) == 3 && strncmp(small, shown[i], 3) == 0);
        sptcp_peer_free(a);
        sptcp_peer_free(c);
    }
    /* "localhost" resolves (to 127.0.0.1 here). */
    sptcp_peer *c = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(c, "localhost", port), SPTCP_OK);
    sptcp_peer *a = take_within(s, 5000);
    CHECK(a != NULL);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);

    /* A specific IPv6 listener does not take IPv4 clients. */
    sptcp_server *v6 = sptcp_server_new();
    int p6 = start_server(v6, "::1");
    CHECK(p6 > 0);
    sptcp_peer *c4 = sptcp_peer_new();
    CHECK_EQ(sptcp_connect_to_host(c4, "127.0.0.1", p6), SPTCP_OK);
    CHECK_EQ(poll_until(c4, SPTCP_STATUS_ERROR, 5000), SPTCP_STATUS_ERROR);
    sptcp_peer_free(c4);
    sptcp_server_free(v6);
}

/* A peer bound with sptcp_bind connects from that port. */
static void bound_client(void) {
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    sptcp_peer *c = sptcp_peer_new();
    CHECK_EQ(sptcp_bind(c, 0, "127.0.0.1"), SPTCP_OK);
    int local = sptcp_get_local_port(c);
    CHECK(local > 0);
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    sptcp_peer *a = take_within(s, 5000);
    CHECK(a != NULL);
    CHECK_EQ(sptcp_get_connected_port(a), local);
    CHECK_EQ(sptcp_bind(c, 0, "*"), SPTCP_ERR_ALREADY_IN_USE);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

int main(void) {
    null_server();
    listen_checks();
    accept_and_exchange();
    five_clients();
    stopped_server();
    server_disconnects_client();
    dual_stack();
    bound_client();
    return check_summary("test_server");
}
