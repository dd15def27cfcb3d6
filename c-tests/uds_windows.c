/* Unix domain sockets on Windows (make test-windows, under Wine): where the
 * system has AF_UNIX, a server on a path in the temp directory serves a
 * client and removes its socket file when stopped; where it has none, every
 * call that needs a socket says SPTCP_ERR_UNAVAILABLE with a message that
 * says why. The program prints which of the two it found. */
#include "check.h"

#include <windows.h>

static int exists(const char *path) {
    return GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES;
}

int main(void) {
    char dir[MAX_PATH], path[MAX_PATH + 64];
    DWORD n = GetTempPathA(sizeof dir, dir);
    REQUIRE(n > 0 && n < sizeof dir);
    snprintf(path, sizeof path, "%ssptcp-uds-%lu.sock", dir, (unsigned long)GetCurrentProcessId());
    DeleteFileA(path);

    sptcp_server *s = sptcp_uds_server_new();
    sptcp_peer *c = sptcp_uds_new();
    REQUIRE(s != NULL && c != NULL);
    CHECK_EQ(sptcp_uds_server_listen(s, ""), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_error e = sptcp_uds_server_listen(s, path);
    if (e == SPTCP_ERR_UNAVAILABLE) {
        printf("uds_windows: this system has no AF_UNIX: %s\n", sptcp_last_error_message());
        CHECK(strstr(sptcp_last_error_message(), "no Unix domain sockets") != NULL);
        CHECK(!sptcp_server_is_listening(s));
        CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_ERR_UNAVAILABLE);
        CHECK(strstr(sptcp_last_error_message(), "no Unix domain sockets") != NULL);
        CHECK_EQ(sptcp_uds_bind(c, path), SPTCP_ERR_UNAVAILABLE);
        CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_NONE);
        CHECK(!exists(path));
    } else {
        CHECK_EQ(e, SPTCP_OK);
        printf("uds_windows: AF_UNIX is available; serving on %s\n", path);
        CHECK(sptcp_server_is_listening(s));
        CHECK(exists(path));
        CHECK_EQ(sptcp_uds_connect_to_host(c, path), SPTCP_OK);
        CHECK_EQ(poll_until(c, SPTCP_STATUS_CONNECTED, 5000), SPTCP_STATUS_CONNECTED);
        sptcp_peer *a = take_within(s, 5000);
        CHECK(a != NULL);
        if (a != NULL) {
            uint32_t v = 0;
            CHECK_EQ(sptcp_put_u32(c, 0xcafef00d), SPTCP_OK);
            CHECK_EQ(sptcp_get_u32(a, &v), SPTCP_OK);
            CHECK_EQ(v, 0xcafef00d);
            CHECK_EQ(sptcp_put_utf8_string(a, "over a path"), SPTCP_OK);
            char *str = NULL;
            CHECK_EQ(sptcp_get_utf8_string(c, -1, &str, NULL), SPTCP_OK);
            CHECK_STR(str, "over a path");
            sptcp_string_free(str);
            sptcp_disconnect_from_host(a);
            CHECK_EQ(poll_until(c, SPTCP_STATUS_NONE, 5000), SPTCP_STATUS_NONE);
            sptcp_peer_free(a);
        }
        sptcp_server_stop(s);
        CHECK(!exists(path));
        DeleteFileA(path);
    }
    sptcp_peer_free(c);
    sptcp_server_free(s);
    return check_summary("uds_windows");
}
