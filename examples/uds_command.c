/* A game and a local tool over a Unix domain socket (Godot master's
 * UDSServer and StreamPeerUDS): the game listens on a socket file, the tool
 * connects to it and sends a command, the game answers. Every call after
 * the connect is the one used for TCP.
 *
 *   uds_command [path]     both sides in one process; the socket file is
 *                          made in a fresh temporary directory unless a
 *                          path is given, and removed by the server */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "streampeer_tcp.h"

static int fail(const char *what, sptcp_error err) {
    fprintf(stderr, "uds_command: %s: %s: %s\n", what, sptcp_error_name(err), sptcp_last_error_message());
    return 1;
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/uds_command.XXXXXX", path[128];
    if (argc > 1) {
        snprintf(path, sizeof path, "%s", argv[1]);
    } else {
        if (!mkdtemp(dir)) return fail("mkdtemp", SPTCP_FAILED);
        snprintf(path, sizeof path, "%s/game.sock", dir);
    }

    /* The game: a UDSServer on the path (it makes the socket file). */
    sptcp_server *server = sptcp_uds_server_new();
    sptcp_error err = sptcp_uds_server_listen(server, path);
    if (err != SPTCP_OK) return fail("listen", err);

    /* The tool: a StreamPeerUDS; a local connect is usually done at once. */
    sptcp_peer *tool = sptcp_uds_new();
    err = sptcp_uds_connect_to_host(tool, path);
    if (err != SPTCP_OK) return fail("connect", err);
    while (sptcp_get_status(tool) == SPTCP_STATUS_CONNECTING) sptcp_poll(tool);
    sptcp_put_utf8_string(tool, "reload level 3");

    /* The game takes the connection and reads the command. */
    if (sptcp_server_wait(server, 5000) != SPTCP_OK) return fail("server_wait", SPTCP_ERR_TIMEOUT);
    sptcp_peer *game_side = sptcp_server_take_connection(server);
    char *command = NULL;
    err = sptcp_get_utf8_string(game_side, -1, &command, NULL);
    if (err != SPTCP_OK) return fail("get_utf8_string", err);
    char connected[128];
    sptcp_uds_get_connected_path(tool, connected, sizeof connected);
    printf("game got \"%s\" from a tool connected to %s\n", command, connected);
    sptcp_string_free(command);
    sptcp_put_u32(game_side, 200);

    uint32_t answer = 0;
    err = sptcp_get_u32(tool, &answer);
    if (err != SPTCP_OK) return fail("get_u32", err);
    printf("tool got %u\n", answer);

    sptcp_peer_free(game_side);
    sptcp_peer_free(tool);
    sptcp_server_free(server); /* stops and removes the socket file */
    int removed = access(path, F_OK) != 0;
    printf("socket file removed: %s\n", removed ? "yes" : "no");
    if (argc <= 1) rmdir(dir);
    return answer == 200 && removed ? 0 : 1;
}
