/* What goes over the wire: typed values, strings and Variants written into
 * a StreamPeerBuffer (an in-memory peer), printed as bytes, and read back.
 * The bytes are the ones a Godot game writes and reads with the same calls,
 * in Godot 4's Variant format and in Godot 3's.
 *
 *   typed_values               prints the bytes, exits 0 when every value
 *                              read back is the one written */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streampeer_tcp.h"

static int failures;

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "typed_values: %s failed: %s\n", what, sptcp_last_error_message());
        failures++;
    }
}

/* Prints the buffer's bytes from `from` on, and moves the cursor there. */
static void dump(const char *label, sptcp_peer *buf, int64_t from) {
    uint8_t bytes[256];
    size_t size = sptcp_buffer_get_data_array(buf, bytes, sizeof bytes);
    printf("%-28s", label);
    for (size_t i = (size_t)from; i < size && i < sizeof bytes; i++) printf(" %02x", bytes[i]);
    printf("\n");
    sptcp_buffer_seek(buf, from);
}

/* {"hp": 42, "pos": Vector2(1, 2)} */
static sptcp_variant *message(void) {
    sptcp_variant *msg = sptcp_variant_new_dictionary();
    const double pos[2] = {1, 2};
    sptcp_variant_dict_set(msg, sptcp_variant_new_string("hp"), sptcp_variant_new_int(42));
    sptcp_variant_dict_set(msg, sptcp_variant_new_string("pos"), sptcp_variant_new_math(SPTCP_TYPE_VECTOR2, pos, 2));
    return msg;
}

int main(void) {
    sptcp_peer *buf = sptcp_buffer_new();

    /* Typed values: little-endian unless big_endian is set (Godot's rule). */
    int64_t at = sptcp_buffer_get_position(buf);
    sptcp_put_u32(buf, 0x12345678);
    dump("put_u32(0x12345678)", buf, at);
    uint32_t u = 0;
    check(sptcp_get_u32(buf, &u) == SPTCP_OK && u == 0x12345678, "get_u32");

    at = sptcp_buffer_get_position(buf);
    sptcp_set_big_endian(buf, true);
    sptcp_put_u32(buf, 0x12345678);
    dump("big endian put_u32", buf, at);
    check(sptcp_get_u32(buf, &u) == SPTCP_OK && u == 0x12345678, "big-endian get_u32");
    sptcp_set_big_endian(buf, false);

    at = sptcp_buffer_get_position(buf);
    sptcp_put_float(buf, 0.15625f);
    dump("put_float(0.15625)", buf, at);
    float f = 0;
    check(sptcp_get_float(buf, &f) == SPTCP_OK && f == 0.15625f, "get_float");

    /* Strings: a u32 byte length, then the UTF-8 bytes, no NUL. */
    at = sptcp_buffer_get_position(buf);
    sptcp_put_utf8_string(buf, "Godot");
    dump("put_utf8_string(\"Godot\")", buf, at);
    char *s = NULL;
    check(sptcp_get_utf8_string(buf, -1, &s, NULL) == SPTCP_OK && s && strcmp(s, "Godot") == 0, "get_utf8_string");
    sptcp_string_free(s);

    /* Variants: put_var writes a u32 length, then the encoded value. */
    for (int major = 4; major >= 3; major--) {
        sptcp_variant *msg = message();
        sptcp_set_variant_format(buf, major);
        at = sptcp_buffer_get_position(buf);
        check(sptcp_put_var(buf, msg, false) == SPTCP_OK, "put_var");
        dump(major == 4 ? "put_var (Godot 4)" : "put_var (Godot 3)", buf, at);
        sptcp_variant *back = NULL;
        check(sptcp_get_var(buf, false, &back) == SPTCP_OK && sptcp_variant_equal(back, msg), "get_var");
        int64_t hp = 0;
        const sptcp_variant *v = NULL;
        sptcp_variant *key = sptcp_variant_new_string("hp");
        v = sptcp_variant_dict_get(back, key);
        check(v && sptcp_variant_get_int(v, &hp) == SPTCP_OK && hp == 42, "dict_get");
        sptcp_variant_free(key);
        sptcp_variant_free(back);
        sptcp_variant_free(msg);
    }

    /* var_to_bytes: the same encoding without the length prefix. */
    sptcp_variant *i = sptcp_variant_new_int(0x12345678);
    uint8_t *bytes = NULL;
    size_t len = 0;
    check(sptcp_var_to_bytes(i, 4, false, &bytes, &len) == SPTCP_OK && len == 8, "var_to_bytes");
    printf("%-28s", "var_to_bytes(0x12345678)");
    for (size_t k = 0; k < len; k++) printf(" %02x", bytes[k]);
    printf("\n");
    sptcp_bytes_free(bytes);
    sptcp_variant_free(i);

    sptcp_peer_free(buf);
    if (failures) return 1;
    printf("typed_values: every value read back as written\n");
    return 0;
}
