/* TLS over TCP, both ends in one program (the docs' TLS guide): a server
 * with a certificate, a client that trusts its CA, a message each way,
 * then close_notify.
 *
 *   tls_echo CERT_DIR     (ca.pem, server.pem and server.key in it, as
 *                          c-tests/tls_certs.sh makes them)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "streampeer_tcp.h"

static char *read_file(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "tls_echo: can't read %s\n", path);
        exit(1);
    }
    char *text = calloc(1, 1 << 16);
    size_t n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = 0;
    fclose(f);
    return text;
}

static void nap(void) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

static void fail(const char *what) {
    fprintf(stderr, "tls_echo: %s: %s\n", what, sptcp_last_error_message());
    exit(1);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s CERT_DIR\n", argv[0]);
        return 2;
    }
    char *ca = read_file(argv[1], "ca.pem");
    char *cert = read_file(argv[1], "server.pem");
    char *key = read_file(argv[1], "server.key");

    /* Options: what the server shows, what the client trusts. */
    sptcp_tls_options *server_opts = sptcp_tls_options_server(key, cert);
    sptcp_tls_options *client_opts = sptcp_tls_options_client(ca, NULL);
    if (server_opts == NULL || client_opts == NULL) {
        fail("tls options");
    }

    /* A TCP connection over loopback. */
    sptcp_server *server = sptcp_server_new();
    if (sptcp_server_listen(server, 0, "127.0.0.1") != SPTCP_OK) {
        fail("listen");
    }
    sptcp_peer *tcp = sptcp_peer_new();
    sptcp_connect_to_host(tcp, "127.0.0.1", sptcp_server_get_local_port(server));
    while (!sptcp_server_is_connection_available(server)) {
        nap();
    }
    sptcp_peer *accepted = sptcp_server_take_connection(server);

    /* TLS on each end; each TLS peer owns its TCP peer from now on. The
     * client may start while its TCP connect is still running. */
    sptcp_peer *client = sptcp_tls_new();
    sptcp_peer *game = sptcp_tls_new();
    if (sptcp_tls_connect_to_stream(client, tcp, "localhost", client_opts) != SPTCP_OK ||
        sptcp_tls_accept_stream(game, accepted, server_opts) != SPTCP_OK) {
        fail("start TLS");
    }
    sptcp_tls_options_free(client_opts); /* the peers keep what they need */
    sptcp_tls_options_free(server_opts);
    while (sptcp_tls_get_status(client) == SPTCP_TLS_STATUS_HANDSHAKING ||
           sptcp_tls_get_status(game) == SPTCP_TLS_STATUS_HANDSHAKING) {
        sptcp_tls_poll(client); /* never blocks: once per frame in a game */
        sptcp_tls_poll(game);
        nap();
    }
    if (sptcp_tls_get_status(client) != SPTCP_TLS_STATUS_CONNECTED) {
        fail("handshake");
    }
    printf("tls_echo: handshake done, both ends CONNECTED\n");

    /* Every StreamPeer call works on the plaintext. */
    sptcp_put_utf8_string(client, "hello over TLS");
    char *text = NULL;
    size_t len = 0;
    if (sptcp_get_utf8_string(game, -1, &text, &len) != SPTCP_OK) {
        fail("get_utf8_string");
    }
    printf("tls_echo: the server got \"%s\"\n", text);
    sptcp_put_utf8_string(game, text);
    sptcp_string_free(text);
    if (sptcp_get_utf8_string(client, -1, &text, &len) != SPTCP_OK) {
        fail("get_utf8_string");
    }
    printf("tls_echo: the client got \"%s\" back\n", text);
    sptcp_string_free(text);

    /* close_notify from the server: the client ends DISCONNECTED. */
    sptcp_tls_disconnect_from_stream(game);
    while (sptcp_tls_get_status(client) == SPTCP_TLS_STATUS_CONNECTED) {
        sptcp_tls_poll(client);
        nap();
    }
    printf("tls_echo: client status after close_notify: %s\n",
           sptcp_tls_get_status(client) == SPTCP_TLS_STATUS_DISCONNECTED ? "DISCONNECTED" : "ERROR");
    sptcp_peer_free(client);
    sptcp_peer_free(game);
    sptcp_server_free(server);
    free(ca);
    free(cert);
    free(key);
    return 0;
}
