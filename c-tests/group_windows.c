/* Poll groups on Windows (make test-windows, under Wine): the portable
 * readiness set over WSAPoll — a server's ACCEPTABLE, a connect's
 * WRITABLE, READABLE level-triggered, bytes buffered in the library,
 * freeing a member, no group descriptor (-1), and sptcp_wait. */
#include "check.h"

static uint32_t events_of(sptcp_group *g, int timeout_ms, void *who) {
    sptcp_event ev[16];
    size_t n = 0;
    if (sptcp_group_wait(g, timeout_ms, ev, 16, &n) != SPTCP_OK) {
        return 0xdead;
    }
    for (size_t i = 0; i < n; i++) {
        if (ev[i].user_data == who) {
            return ev[i].events;
        }
    }
    return 0;
}

static uint32_t wait_for(sptcp_group *g, void *who, uint32_t bits) {
    long long end = now_ms() + 3000;
    uint32_t got = 0;
    while (now_ms() < end && (got & bits) != bits) {
        got = events_of(g, 100, who);
    }
    return got;
}

int main(void) {
    static int srv_tag, cli_tag, acc_tag;
    sptcp_group *g = sptcp_group_new();
    REQUIRE(g != NULL);
    CHECK_EQ(sptcp_group_get_fd(g), -1);
    sptcp_server *s = sptcp_server_new();
    int port = start_server(s, "127.0.0.1");
    REQUIRE(port > 0);
    CHECK_EQ(sptcp_group_add_server(g, s, &srv_tag), SPTCP_OK);
    sptcp_peer *c = sptcp_peer_new();
    CHECK_EQ(sptcp_group_add_peer(g, c, SPTCP_EVENT_WRITABLE, &cli_tag), SPTCP_OK);
    CHECK_EQ(sptcp_connect_to_host(c, "127.0.0.1", port), SPTCP_OK);
    CHECK(wait_for(g, &srv_tag, SPTCP_EVENT_ACCEPTABLE) & SPTCP_EVENT_ACCEPTABLE);
    sptcp_peer *a = sptcp_server_take_connection(s);
    REQUIRE(a != NULL);
    CHECK(wait_for(g, &cli_tag, SPTCP_EVENT_WRITABLE) & SPTCP_EVENT_WRITABLE);
    CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
    CHECK_EQ(sptcp_group_add_peer(g, a, SPTCP_EVENT_READABLE, &acc_tag), SPTCP_OK);
    CHECK_EQ(events_of(g, 0, &acc_tag), 0);
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)"12345678", 8), SPTCP_OK);
    CHECK_EQ(wait_for(g, &acc_tag, SPTCP_EVENT_READABLE), SPTCP_EVENT_READABLE);
    CHECK_EQ(events_of(g, 0, &acc_tag), SPTCP_EVENT_READABLE); /* level */
    uint8_t b = 0;
    CHECK_EQ(sptcp_get_u8(a, &b), SPTCP_OK);
    CHECK_EQ(events_of(g, 0, &acc_tag), SPTCP_EVENT_READABLE); /* buffered */
    uint8_t rest[7];
    CHECK_EQ(sptcp_get_data(a, rest, 7, NULL), SPTCP_OK);
    CHECK_EQ(events_of(g, 0, &acc_tag), 0);
    uint32_t ready = 0;
    CHECK_EQ(sptcp_wait(a, SPTCP_EVENT_WRITABLE, 1000, &ready), SPTCP_OK);
    CHECK_EQ(ready, SPTCP_EVENT_WRITABLE);
    CHECK_EQ(sptcp_wait(a, SPTCP_EVENT_READABLE, 50, &ready), SPTCP_ERR_TIMEOUT);
    CHECK_EQ(sptcp_group_size(g), 3);
    sptcp_peer_free(a);
    CHECK_EQ(sptcp_group_size(g), 2);
    sptcp_peer_free(c);
    sptcp_server_free(s);
    CHECK_EQ(sptcp_group_size(g), 0);
    sptcp_group_free(g);
    return check_summary("group_windows");
}
