/* Sends {"pos": Vector2(1, 2), "hp": 42, "tags": ["a", "b"]} to a Godot
 * game with put_var, as a GDScript `peer.get_var()` expects it.
 *
 *   send_dictionary host port [godot_major]      (godot_major: 4 or 3) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "streampeer_tcp.h"

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s host port [godot_major]\n", argv[0]);
        return 2;
    }
    sptcp_peer *peer = sptcp_peer_new();
    sptcp_set_connect_timeout_ms(peer, 5000);
    sptcp_set_variant_format(peer, argc > 3 ? atoi(argv[3]) : 4);
    if (sptcp_connect_to_host(peer, argv[1], atoi(argv[2])) != SPTCP_OK) {
        fprintf(stderr, "connect: %s\n", sptcp_last_error_message());
        return 1;
    }
    while (sptcp_get_status(peer) == SPTCP_STATUS_CONNECTING) {
        struct timespec ts = {0, 1000000};
        sptcp_poll(peer);
        nanosleep(&ts, NULL);
    }

    /* Containers take ownership of what is put in them, so calls nest. */
    sptcp_variant *msg = sptcp_variant_new_dictionary();
    const double pos[2] = {1, 2};
    sptcp_variant_dict_set(msg, sptcp_variant_new_string("pos"), sptcp_variant_new_math(SPTCP_TYPE_VECTOR2, pos, 2));
    sptcp_variant_dict_set(msg, sptcp_variant_new_string("hp"), sptcp_variant_new_int(42));
    sptcp_variant *tags = sptcp_variant_new_array();
    sptcp_variant_array_push(tags, sptcp_variant_new_string("a"));
    sptcp_variant_array_push(tags, sptcp_variant_new_string("b"));
    sptcp_variant_dict_set(msg, sptcp_variant_new_string("tags"), tags);

    sptcp_error err = sptcp_put_var(peer, msg, false);
    printf("put_var: %s\n", sptcp_error_name(err));
    sptcp_variant_free(msg);
    sptcp_peer_free(peer);
    return err == SPTCP_OK ? 0 : 1;
}
