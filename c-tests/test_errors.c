/* Error texts and names, the last error message, the version. */
#include "check.h"

#if SPTCP_VERSION_NUMBER != ((SPTCP_VERSION_MAJOR << 16) | (SPTCP_VERSION_MINOR << 8) | SPTCP_VERSION_PATCH)
#error "SPTCP_VERSION_NUMBER does not pack the three parts"
#endif

int main(void) {
    /* Godot's names and texts for a sample of codes, from error_list.cpp. */
    CHECK_STR(sptcp_error_name(SPTCP_OK), "OK");
    CHECK_STR(sptcp_error_string(SPTCP_OK), "OK");
    CHECK_STR(sptcp_error_name(SPTCP_FAILED), "FAILED");
    CHECK_STR(sptcp_error_string(SPTCP_FAILED), "Failed");
    CHECK_STR(sptcp_error_name(SPTCP_ERR_CANT_CONNECT), "ERR_CANT_CONNECT");
    CHECK_STR(sptcp_error_string(SPTCP_ERR_CANT_CONNECT), "Can't connect");
    CHECK_STR(sptcp_error_string(SPTCP_ERR_FILE_BAD_DRIVE), "File: Bad drive");
    CHECK_STR(sptcp_error_string(SPTCP_ERR_FILE_EOF), "End of file");
    CHECK_STR(sptcp_error_string(SPTCP_ERR_CYCLIC_LINK), "Cyclic link detected");
    CHECK_STR(sptcp_error_name(SPTCP_ERR_PRINTER_ON_FIRE), "ERR_PRINTER_ON_FIRE");
    CHECK_STR(sptcp_error_string(SPTCP_ERR_PRINTER_ON_FIRE), "Printer on fire");
    CHECK_STR(sptcp_error_string(SPTCP_ERR_BUG), "Bug");

    /* The numbers are Godot's. */
    CHECK_EQ(SPTCP_ERR_UNAVAILABLE, 2);
    CHECK_EQ(SPTCP_ERR_FILE_EOF, 18);
    CHECK_EQ(SPTCP_ERR_CANT_CREATE, 20);
    CHECK_EQ(SPTCP_ERR_ALREADY_IN_USE, 22);
    CHECK_EQ(SPTCP_ERR_CANT_RESOLVE, 26);
    CHECK_EQ(SPTCP_ERR_CONNECTION_ERROR, 27);
    CHECK_EQ(SPTCP_ERR_INVALID_DATA, 30);
    CHECK_EQ(SPTCP_ERR_INVALID_PARAMETER, 31);
    CHECK_EQ(SPTCP_ERR_BUSY, 44);
    CHECK_EQ(SPTCP_ERR_PRINTER_ON_FIRE, 48);
    CHECK_EQ(SPTCP_STATUS_NONE, 0);
    CHECK_EQ(SPTCP_STATUS_CONNECTING, 1);
    CHECK_EQ(SPTCP_STATUS_CONNECTED, 2);
    CHECK_EQ(SPTCP_STATUS_ERROR, 3);

    /* Every defined code has a name starting with its prefix, and a text. */
    for (int e = 0; e <= 48; e++) {
        const char *name = sptcp_error_name(e);
        const char *text = sptcp_error_string(e);
        CHECK(name != NULL && text != NULL);
        CHECK(strcmp(name, "UNKNOWN_ERROR") != 0);
        CHECK(strcmp(text, "Unknown error") != 0);
        CHECK(e <= 1 ? strncmp(name, "ERR_", 4) != 0 : strncmp(name, "ERR_", 4) == 0);
    }

    /* Any number is safe. */
    const int unknown[] = {-1, 49, 1000, -2147483647 - 1, 2147483647};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK_STR(sptcp_error_name(unknown[i]), "UNKNOWN_ERROR");
        CHECK_STR(sptcp_error_string(unknown[i]), "Unknown error");
    }

    /* The last error message: "" at first, set by a failure, kept by a
     * success, per thread. */
    CHECK_STR(sptcp_last_error_message(), "");
    CHECK_EQ(sptcp_poll(NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(strstr(sptcp_last_error_message(), "sptcp_poll") != NULL);
    CHECK(strstr(sptcp_last_error_message(), "NULL") != NULL);
    sptcp_peer *peer = sptcp_peer_new();
    CHECK_EQ(sptcp_poll(peer), SPTCP_OK);
    CHECK(strstr(sptcp_last_error_message(), "sptcp_poll") != NULL);
    sptcp_peer_free(peer);

    /* The version string matches the header's macros. */
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", SPTCP_VERSION_MAJOR, SPTCP_VERSION_MINOR, SPTCP_VERSION_PATCH);
    CHECK_STR(sptcp_version(), want);
    CHECK(SPTCP_HOST_MAX >= 40);

    return check_summary("test_errors");
}
