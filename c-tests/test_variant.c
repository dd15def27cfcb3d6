/* Variants through the C API: builders, accessors, Godot's reference
 * vectors, every type through bytes and through a loopback socket, both
 * formats, bounded decoding, NULL handling. */
#include "check.h"

#include <math.h>
#include <pthread.h>

static int bytes_equal(const sptcp_variant *v, int major, const uint8_t *want, size_t want_len) {
    uint8_t *got = NULL;
    size_t len = 0;
    if (sptcp_var_to_bytes(v, major, false, &got, &len) != SPTCP_OK) {
        return 0;
    }
    int same = len == want_len && memcmp(got, want, len) == 0;
    if (!same) {
        fprintf(stderr, "    got %zu bytes:", len);
        for (size_t i = 0; i < len; i++) {
            fprintf(stderr, " %02x", got[i]);
        }
        fprintf(stderr, "\n");
    }
    sptcp_bytes_free(got);
    return same;
}

/* Decodes `bytes` and re-encodes: the value must come back whole. */
static sptcp_variant *round_trip(const sptcp_variant *v, int major) {
    uint8_t *b = NULL;
    size_t len = 0, used = 0;
    if (sptcp_var_to_bytes(v, major, true, &b, &len) != SPTCP_OK) {
        return NULL;
    }
    sptcp_variant *back = NULL;
    sptcp_error e = sptcp_bytes_to_var(b, len, major, true, &back, &used);
    sptcp_bytes_free(b);
    return e == SPTCP_OK && used == len ? back : NULL;
}

/* The example message of docs/godot-games.md (the README's before), built in a few lines, and its bytes. */
static void readme_dictionary(void) {
    sptcp_variant *msg = sptcp_variant_new_dictionary();
    const double pos[2] = {1, 2};
    sptcp_variant_dict_set(msg, sptcp_variant_new_string("pos"), sptcp_variant_new_math(SPTCP_TYPE_VECTOR2, pos, 2));
    sptcp_variant_dict_set(msg, sptcp_variant_new_string("hp"), sptcp_variant_new_int(42));
    sptcp_variant *tags = sptcp_variant_new_array();
    sptcp_variant_array_push(tags, sptcp_variant_new_string("a"));
    sptcp_variant_array_push(tags, sptcp_variant_new_string("b"));
    CHECK_EQ(sptcp_variant_dict_set(msg, sptcp_variant_new_string("tags"), tags), SPTCP_OK);

    const uint8_t want[] = {
        0x1b, 0, 0, 0, 3, 0, 0, 0,                                   /* Dictionary, 3 entries */
        4, 0, 0, 0, 3, 0, 0, 0, 'p', 'o', 's', 0,                    /* "pos" */
        5, 0, 0, 0, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40,  /* Vector2(1, 2) */
        4, 0, 0, 0, 2, 0, 0, 0, 'h', 'p', 0, 0,                      /* "hp" */
        2, 0, 0, 0, 42, 0, 0, 0,                                     /* 42 */
        4, 0, 0, 0, 4, 0, 0, 0, 't', 'a', 'g', 's',                  /* "tags" */
        0x1c, 0, 0, 0, 2, 0, 0, 0,                                   /* Array, 2 items */
        4, 0, 0, 0, 1, 0, 0, 0, 'a', 0, 0, 0,
        4, 0, 0, 0, 1, 0, 0, 0, 'b', 0, 0, 0,
    };
    CHECK(bytes_equal(msg, 4, want, sizeof want));
    /* Godot 3: the same bytes but for the ids of Dictionary (18) and Array (19). */
    uint8_t want3[sizeof want];
    memcpy(want3, want, sizeof want);
    want3[0] = 18;
    want3[64] = 19;
    CHECK(bytes_equal(msg, 3, want3, sizeof want3));

    /* Lookups and borrowed pointers. */
    CHECK_EQ(sptcp_variant_size(msg), 3);
    sptcp_variant *k = sptcp_variant_new_string("hp");
    const sptcp_variant *hp = sptcp_variant_dict_get(msg, k);
    int64_t i = 0;
    CHECK(hp != NULL && sptcp_variant_get_int(hp, &i) == SPTCP_OK && i == 42);
    sptcp_variant_free(k);
    const sptcp_variant *key = NULL, *val = NULL;
    CHECK_EQ(sptcp_variant_dict_entry(msg, 2, &key, &val), SPTCP_OK);
    const char *s = NULL;
    size_t len = 0;
    CHECK(sptcp_variant_get_string(key, &s, &len) == SPTCP_OK && len == 4);
    CHECK_STR(s, "tags");
    CHECK_EQ(sptcp_variant_get_type(val), SPTCP_TYPE_ARRAY);
    CHECK_EQ(sptcp_variant_size(val), 2);
    CHECK(sptcp_variant_get_string(sptcp_variant_array_get(val, 1), &s, NULL) == SPTCP_OK);
    CHECK_STR(s, "b");
    CHECK(sptcp_variant_array_get(val, 2) == NULL);
    CHECK_EQ(sptcp_variant_dict_entry(msg, 3, &key, &val), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(key == NULL && val == NULL);
    /* Setting an existing key keeps its place. */
    CHECK_EQ(sptcp_variant_dict_set(msg, sptcp_variant_new_string("pos"), sptcp_variant_new_nil()), SPTCP_OK);
    CHECK_EQ(sptcp_variant_size(msg), 3);
    CHECK_EQ(sptcp_variant_dict_entry(msg, 0, &key, &val), SPTCP_OK);
    CHECK_EQ(sptcp_variant_get_type(val), SPTCP_TYPE_NIL);
    sptcp_variant_free(msg);
}

/* Godot's marshalls tests: NIL, INT 32/64, FLOAT 32/64, typed containers,
 * put_var of ["Hello, World!", 42]. */
static void godot_vectors(void) {
    sptcp_variant *v = sptcp_variant_new_nil();
    const uint8_t nil[] = {0, 0, 0, 0};
    CHECK(bytes_equal(v, 4, nil, sizeof nil));
    sptcp_variant_free(v);
    v = sptcp_variant_new_int(0x12345678);
    const uint8_t i32[] = {2, 0, 0, 0, 0x78, 0x56, 0x34, 0x12};
    CHECK(bytes_equal(v, 4, i32, sizeof i32));
    sptcp_variant_free(v);
    v = sptcp_variant_new_int((int64_t)0xf123456789abcdefULL);
    const uint8_t i64[] = {2, 0, 1, 0, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1};
    CHECK(bytes_equal(v, 4, i64, sizeof i64));
    CHECK(bytes_equal(v, 3, i64, sizeof i64));
    sptcp_variant_free(v);
    v = sptcp_variant_new_float(0.15625);
    const uint8_t f32[] = {3, 0, 0, 0, 0x00, 0x00, 0x20, 0x3e};
    CHECK(bytes_equal(v, 4, f32, sizeof f32));
    sptcp_variant_free(v);
    v = sptcp_variant_new_float(0.33333333333333333);
    const uint8_t f64[] = {3, 0, 1, 0, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xd5, 0x3f};
    CHECK(bytes_equal(v, 4, f64, sizeof f64));
    sptcp_variant_free(v);
    v = sptcp_variant_new_float(NAN); /* NaN is always a double */
    uint8_t *b = NULL;
    size_t len = 0;
    CHECK(sptcp_var_to_bytes(v, 4, false, &b, &len) == SPTCP_OK && len == 12 && b[2] == 1);
    sptcp_bytes_free(b);
    sptcp_variant_free(v);

    sptcp_variant *arr = sptcp_variant_new_array();
    CHECK_EQ(sptcp_variant_array_set_typed(arr, SPTCP_TYPE_INT), SPTCP_OK);
    CHECK_EQ(sptcp_variant_array_push(arr, sptcp_variant_new_int((int64_t)0xf123456789abcdefULL)), SPTCP_OK);
    const uint8_t typed[] = {0x1c, 0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0,
                             0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1};
    CHECK(bytes_equal(arr, 4, typed, sizeof typed));
    /* A typed array refuses other types (and frees what it refused). */
    CHECK_EQ(sptcp_variant_array_push(arr, sptcp_variant_new_string("x")), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_size(arr), 1);
    sptcp_variant_free(arr);

    sptcp_variant *d = sptcp_variant_new_dictionary();
    CHECK_EQ(sptcp_variant_dict_set_typed(d, SPTCP_TYPE_INT, SPTCP_TYPE_INT), SPTCP_OK);
    CHECK_EQ(sptcp_variant_dict_set(d, sptcp_variant_new_int((int64_t)0xf123456789abcdefULL),
                                    sptcp_variant_new_int((int64_t)0xf123456789abcdefULL)),
             SPTCP_OK);
    const uint8_t typed_dict[] = {0x1b, 0, 5, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0,
                                  2, 0, 1, 0, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1,
                                  2, 0, 1, 0, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1};
    CHECK(bytes_equal(d, 4, typed_dict, sizeof typed_dict));
    CHECK_EQ(sptcp_variant_dict_set(d, sptcp_variant_new_float(1), sptcp_variant_new_int(1)), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_variant_free(d);

    /* put_var(["Hello, World!", 42]) on a buffer, both byte orders. */
    for (int be = 0; be < 2; be++) {
        sptcp_peer *buf = sptcp_buffer_new();
        sptcp_set_big_endian(buf, be);
        sptcp_variant *a = sptcp_variant_new_array();
        sptcp_variant_array_push(a, sptcp_variant_new_string("Hello, World!"));
        sptcp_variant_array_push(a, sptcp_variant_new_int(42));
        CHECK_EQ(sptcp_put_var(buf, a, false), SPTCP_OK);
        const uint8_t want_le[] = {0x28, 0, 0, 0, 0x1c, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0x0d, 0, 0, 0,
                                   'H', 'e', 'l', 'l', 'o', ',', ' ', 'W', 'o', 'r', 'l', 'd', '!', 0, 0, 0,
                                   2, 0, 0, 0, 0x2a, 0, 0, 0};
        uint8_t got[64];
        CHECK_EQ(sptcp_buffer_get_data_array(buf, got, sizeof got), sizeof want_le);
        CHECK(memcmp(got + 4, want_le + 4, sizeof want_le - 4) == 0); /* body always LE */
        CHECK(be ? (got[0] == 0 && got[3] == 0x28) : (got[0] == 0x28 && got[3] == 0));
        sptcp_buffer_seek(buf, 0);
        sptcp_variant *back = NULL;
        CHECK_EQ(sptcp_get_var(buf, false, &back), SPTCP_OK);
        CHECK(sptcp_variant_equal(back, a));
        sptcp_variant_free(back);
        sptcp_variant_free(a);
        sptcp_peer_free(buf);
    }
}

/* One value of every type, built through the C API. */
static int make_every_type(sptcp_variant **out, int max) {
    int n = 0;
#define ADD(x) do { if (n < max) out[n++] = (x); } while (0)
    ADD(sptcp_variant_new_nil());
    ADD(sptcp_variant_new_bool(true));
    ADD(sptcp_variant_new_int(-7));
    ADD(sptcp_variant_new_int(INT64_MIN));
    ADD(sptcp_variant_new_float(-0.0));
    ADD(sptcp_variant_new_float(1e300));
    ADD(sptcp_variant_new_string("h\xc3\xa9llo \xe2\x9c\xa9"));
    static const double comps[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    for (int t = SPTCP_TYPE_VECTOR2; t <= SPTCP_TYPE_COLOR; t++) {
        static const size_t count[] = {2, 2, 4, 4, 3, 3, 6, 4, 4, 4, 4, 6, 9, 12, 16, 4};
        ADD(sptcp_variant_new_math(t, comps, count[t - SPTCP_TYPE_VECTOR2]));
    }
    ADD(sptcp_variant_new_string_name("StringName"));
    ADD(sptcp_variant_new_node_path("/root/Main:position:x"));
    ADD(sptcp_variant_new_rid(0x123456789aULL));
    ADD(sptcp_variant_new_object_id(99));
    sptcp_variant *obj = sptcp_variant_new_object("Node2D");
    sptcp_variant_object_set(obj, "name", sptcp_variant_new_string("Player"));
    sptcp_variant_object_set(obj, "z_index", sptcp_variant_new_int(3));
    ADD(obj);
    ADD(sptcp_variant_new_callable());
    ADD(sptcp_variant_new_signal("hit", 5));
    sptcp_variant *d = sptcp_variant_new_dictionary();
    sptcp_variant_dict_set(d, sptcp_variant_new_int(1), sptcp_variant_new_string("one"));
    ADD(d);
    sptcp_variant *a = sptcp_variant_new_array();
    sptcp_variant_array_push(a, sptcp_variant_new_bool(false));
    ADD(a);
    const uint8_t bytes[5] = {1, 2, 3, 4, 5};
    const int32_t i32[3] = {INT32_MIN, 0, INT32_MAX};
    const int64_t i64[2] = {INT64_MIN, INT64_MAX};
    const float f32[2] = {1.5f, -0.25f};
    const double f64[2] = {1.0 / 3.0, -1e-300};
    const float v2[2][2] = {{1, 2}, {3, 4}};
    const float v3[1][3] = {{1, 2, 3}};
    const float v4[1][4] = {{0.25f, 0.5f, 0.75f, 1}};
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_BYTE_ARRAY, bytes, 5));
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_INT32_ARRAY, i32, 3));
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_INT64_ARRAY, i64, 2));
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_FLOAT32_ARRAY, f32, 2));
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_FLOAT64_ARRAY, f64, 2));
    const char *strs[3] = {"one", "", "\xe2\x9c\xa9"};
    ADD(sptcp_variant_new_packed_string_array(strs, 3));
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_VECTOR2_ARRAY, v2, 2));
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_VECTOR3_ARRAY, v3, 1));
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_COLOR_ARRAY, v4, 1));
    ADD(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_VECTOR4_ARRAY, v4, 1));
#undef ADD
    return n;
}

static void every_type(void) {
    sptcp_variant *vals[64];
    int n = make_every_type(vals, 64);
    int seen[39] = {0};
    for (int i = 0; i < n; i++) {
        CHECK(vals[i] != NULL);
        if (vals[i] == NULL) {
            continue;
        }
        seen[sptcp_variant_get_type(vals[i])] = 1;
        /* Through bytes. */
        sptcp_variant *back = round_trip(vals[i], 4);
        CHECK(back != NULL);
        /* NaN-free values compare equal after the trip. */
        CHECK(sptcp_variant_equal(back, vals[i]) || sptcp_variant_get_type(vals[i]) == SPTCP_TYPE_CALLABLE);
        CHECK_EQ(sptcp_variant_get_type(back), sptcp_variant_get_type(vals[i]));
        sptcp_variant_free(back);
        /* A deep copy is equal and independent. */
        sptcp_variant *copy = sptcp_variant_duplicate(vals[i]);
        CHECK(sptcp_variant_equal(copy, vals[i]) || sptcp_variant_get_type(vals[i]) == SPTCP_TYPE_CALLABLE);
        sptcp_variant_free(copy);
    }
    for (int t = 0; t < 39; t++) {
        CHECK(seen[t]);
    }

    /* Through a loopback socket with put_var / get_var. */
    sptcp_server *s = sptcp_server_new();
    start_server(s, "127.0.0.1");
    sptcp_peer *c = NULL, *a = NULL;
    if (connect_pair(s, &c, &a) == 0) {
        for (int i = 0; i < n; i++) {
            CHECK_EQ(sptcp_put_var(c, vals[i], true), SPTCP_OK);
        }
        for (int i = 0; i < n; i++) {
            sptcp_variant *got = NULL;
            CHECK_EQ(sptcp_get_var(a, true, &got), SPTCP_OK);
            CHECK(sptcp_variant_equal(got, vals[i]) || sptcp_variant_get_type(vals[i]) == SPTCP_TYPE_CALLABLE);
            sptcp_variant_free(got);
        }
        /* Godot 3 format on the wire: the types Godot 3 has. */
        CHECK_EQ(sptcp_set_variant_format(c, 3), SPTCP_OK);
        CHECK_EQ(sptcp_set_variant_format(a, 3), SPTCP_OK);
        CHECK_EQ(sptcp_get_variant_format(a), 3);
        int sent3 = 0;
        for (int i = 0; i < n; i++) {
            if (sptcp_put_var(c, vals[i], true) == SPTCP_OK) {
                sent3++;
            } else {
                CHECK_EQ(sptcp_get_status(c), SPTCP_STATUS_CONNECTED); /* refused, nothing sent */
            }
        }
        CHECK(sent3 >= 25);
        for (int i = 0; i < sent3; i++) {
            sptcp_variant *got = NULL;
            CHECK_EQ(sptcp_get_var(a, true, &got), SPTCP_OK);
            sptcp_variant_free(got);
        }
        CHECK_EQ(sptcp_get_available_bytes(a), 0);
    } else {
        CHECK(!"connect_pair");
    }
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
    for (int i = 0; i < n; i++) {
        sptcp_variant_free(vals[i]);
    }
}

/* Godot 3 ids and the types Godot 3 lacks. */
static void godot3(void) {
    const double q[4] = {0, 0, 0, 1};
    sptcp_variant *quat = sptcp_variant_new_math(SPTCP_TYPE_QUATERNION, q, 4);
    uint8_t *b = NULL;
    size_t len = 0;
    CHECK(sptcp_var_to_bytes(quat, 3, false, &b, &len) == SPTCP_OK && len == 20 && b[0] == 10);
    sptcp_variant *back = NULL;
    CHECK_EQ(sptcp_bytes_to_var(b, len, 3, false, &back, NULL), SPTCP_OK);
    CHECK_EQ(sptcp_variant_get_type(back), SPTCP_TYPE_QUATERNION);
    sptcp_variant_free(back);
    sptcp_bytes_free(b);
    CHECK(sptcp_var_to_bytes(quat, 4, false, &b, &len) == SPTCP_OK && b[0] == 15);
    sptcp_bytes_free(b);
    sptcp_variant_free(quat);
    sptcp_variant *sn = sptcp_variant_new_string_name("x");
    CHECK_EQ(sptcp_var_to_bytes(sn, 3, false, &b, &len), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(b == NULL && len == 0);
    CHECK(strstr(sptcp_last_error_message(), "Godot 3") != NULL);
    CHECK_EQ(sptcp_var_to_bytes(sn, 5, false, &b, &len), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_variant_free(sn);
    sptcp_peer *p = sptcp_buffer_new();
    CHECK_EQ(sptcp_get_variant_format(p), 4);
    CHECK_EQ(sptcp_set_variant_format(p, 2), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_get_variant_format(p), 4);
    sptcp_peer_free(p);
}

/* Accessors on the wrong type, math, packed, objects, ids. */
static void accessors(void) {
    sptcp_variant *i = sptcp_variant_new_int(5);
    bool bv = true;
    double d = 9;
    const char *s = "x";
    size_t n = 7;
    uint64_t id = 3;
    CHECK_EQ(sptcp_variant_get_bool(i, &bv), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(!bv);
    CHECK_EQ(sptcp_variant_get_float(i, &d), SPTCP_ERR_INVALID_PARAMETER); /* no conversion */
    CHECK(d == 0);
    CHECK_EQ(sptcp_variant_get_string(i, &s, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(s == NULL && n == 0);
    CHECK_EQ(sptcp_variant_get_id(i, &id), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(id, 0);
    CHECK_EQ(sptcp_variant_size(i), 0);
    sptcp_variant *f = sptcp_variant_new_float(5.0);
    CHECK(sptcp_variant_equal(i, f)); /* Godot: 5 == 5.0 */
    sptcp_variant *nan1 = sptcp_variant_new_float(NAN);
    CHECK(!sptcp_variant_equal(nan1, nan1));
    sptcp_variant_free(nan1);
    sptcp_variant_free(f);
    sptcp_variant_free(i);

    const double c[6] = {1, 2, 3, 4, 5, 6};
    CHECK(sptcp_variant_new_math(SPTCP_TYPE_VECTOR2, c, 3) == NULL);
    CHECK(strstr(sptcp_last_error_message(), "takes 2") != NULL);
    CHECK(sptcp_variant_new_math(SPTCP_TYPE_INT, c, 1) == NULL);
    CHECK(sptcp_variant_new_math(99, c, 2) == NULL);
    CHECK(sptcp_variant_new_math(-1, c, 2) == NULL);
    CHECK(sptcp_variant_new_math(SPTCP_TYPE_VECTOR2, NULL, 2) == NULL);
    const double frac[2] = {1.5, 2};
    CHECK(sptcp_variant_new_math(SPTCP_TYPE_VECTOR2I, frac, 2) == NULL);
    sptcp_variant *aabb = sptcp_variant_new_math(SPTCP_TYPE_AABB, c, 6);
    double out[6] = {0};
    CHECK_EQ(sptcp_variant_get_math(aabb, out, 2, &n), SPTCP_ERR_PARAMETER_RANGE_ERROR);
    CHECK_EQ(n, 6);
    CHECK(out[0] == 0);
    CHECK_EQ(sptcp_variant_get_math(aabb, out, 6, &n), SPTCP_OK);
    CHECK(out[0] == 1 && out[5] == 6 && n == 6);
    sptcp_variant_free(aabb);

    const float v2[2][2] = {{1, 2}, {3, 4}};
    sptcp_variant *pv = sptcp_variant_new_packed(SPTCP_TYPE_PACKED_VECTOR2_ARRAY, v2, 2);
    const void *data = NULL;
    CHECK_EQ(sptcp_variant_get_packed(pv, &data, &n), SPTCP_OK);
    CHECK(n == 2 && ((const float *)data)[3] == 4);
    CHECK_EQ(sptcp_variant_size(pv), 2);
    sptcp_variant_free(pv);
    CHECK(sptcp_variant_new_packed(SPTCP_TYPE_ARRAY, v2, 2) == NULL);
    CHECK(sptcp_variant_new_packed(SPTCP_TYPE_PACKED_BYTE_ARRAY, NULL, 2) == NULL);
    sptcp_variant *empty = sptcp_variant_new_packed(SPTCP_TYPE_PACKED_INT32_ARRAY, NULL, 0);
    CHECK(empty != NULL && sptcp_variant_size(empty) == 0);
    sptcp_variant_free(empty);
    const char *strs[2] = {"a", NULL};
    CHECK(sptcp_variant_new_packed_string_array(strs, 2) == NULL);
    strs[1] = "bc";
    sptcp_variant *ps = sptcp_variant_new_packed_string_array(strs, 2);
    CHECK_EQ(sptcp_variant_get_packed_string(ps, 1, &s, &n), SPTCP_OK);
    CHECK_STR(s, "bc");
    CHECK_EQ(sptcp_variant_get_packed_string(ps, 2, &s, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_get_packed(ps, &data, &n), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_variant_free(ps);

    sptcp_variant *np = sptcp_variant_new_node_path("/root//Main:position:x");
    CHECK_EQ(sptcp_variant_get_string(np, &s, &n), SPTCP_OK);
    CHECK_STR(s, "/root/Main:position:x");
    sptcp_variant_free(np);
    sptcp_variant *sig = sptcp_variant_new_signal("hit", 12);
    CHECK(sptcp_variant_get_string(sig, &s, NULL) == SPTCP_OK);
    CHECK_STR(s, "hit");
    CHECK(sptcp_variant_get_id(sig, &id) == SPTCP_OK && id == 12);
    sptcp_variant_free(sig);

    /* Full objects: class, properties, full_objects / allow_objects. */
    CHECK(sptcp_variant_new_object("") == NULL);
    sptcp_variant *obj = sptcp_variant_new_object("Sprite2D");
    CHECK_EQ(sptcp_variant_object_set(obj, "frame", sptcp_variant_new_int(2)), SPTCP_OK);
    CHECK_EQ(sptcp_variant_object_set(obj, "frame", sptcp_variant_new_int(3)), SPTCP_OK);
    CHECK_EQ(sptcp_variant_size(obj), 1);
    CHECK(sptcp_variant_object_get_class(obj, &s, &n) == SPTCP_OK && n == 8);
    CHECK_STR(s, "Sprite2D");
    const sptcp_variant *pval = NULL;
    const char *pname = NULL;
    CHECK_EQ(sptcp_variant_object_property(obj, 0, &pname, &pval), SPTCP_OK);
    int64_t iv = 0;
    CHECK(sptcp_variant_get_int(pval, &iv) == SPTCP_OK && iv == 3);
    CHECK_STR(pname, "frame");
    CHECK_EQ(sptcp_variant_object_property(obj, 1, &pname, &pval), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(pname == NULL && pval == NULL);
    CHECK_EQ(sptcp_variant_get_id(obj, &id), SPTCP_ERR_INVALID_PARAMETER);
    uint8_t *b = NULL;
    size_t len = 0;
    CHECK_EQ(sptcp_var_to_bytes(obj, 4, false, &b, &len), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_var_to_bytes(obj, 4, true, &b, &len), SPTCP_OK);
    sptcp_variant *back = NULL;
    CHECK_EQ(sptcp_bytes_to_var(b, len, 4, false, &back, NULL), SPTCP_ERR_UNAUTHORIZED);
    CHECK(back == NULL);
    CHECK_EQ(sptcp_bytes_to_var(b, len, 4, true, &back, NULL), SPTCP_OK);
    CHECK(sptcp_variant_equal(back, obj));
    sptcp_variant_free(back);
    sptcp_bytes_free(b);
    sptcp_variant_free(obj);
    /* The null object travels as NIL; an id always decodes. */
    sptcp_variant *null_obj = sptcp_variant_new_object_id(0);
    const uint8_t nil[] = {0, 0, 0, 0};
    CHECK(bytes_equal(null_obj, 4, nil, sizeof nil));
    sptcp_variant_free(null_obj);
}

/* Builders refuse to nest past 1024 levels. */
static void nesting_limit(void) {
    sptcp_variant *inner = sptcp_variant_new_array();
    sptcp_error last = SPTCP_OK;
    int levels = 0;
    for (int i = 0; i < 1100 && last == SPTCP_OK; i++) {
        sptcp_variant *outer = sptcp_variant_new_array();
        last = sptcp_variant_array_push(outer, inner); /* takes `inner` either way */
        inner = outer;
        levels += last == SPTCP_OK;
    }
    CHECK_EQ(last, SPTCP_ERR_OUT_OF_MEMORY);
    CHECK_EQ(levels, 1024);
    sptcp_variant_free(inner);
}

/* Hostile or broken input to the decoders. */
static void bad_input(void) {
    sptcp_variant *v = (sptcp_variant *)1; /* must be overwritten */
    size_t used = 9;
    const uint8_t one[1] = {0};
    CHECK_EQ(sptcp_bytes_to_var(one, 1, 4, false, &v, &used), SPTCP_ERR_INVALID_DATA);
    CHECK(v == NULL && used == 0);
    const uint8_t bad_type[4] = {0xff, 0, 0, 0};
    CHECK_EQ(sptcp_bytes_to_var(bad_type, 4, 4, false, &v, &used), SPTCP_ERR_INVALID_DATA);
    const uint8_t huge_array[8] = {0x1c, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f};
    CHECK_EQ(sptcp_bytes_to_var(huge_array, 8, 4, false, &v, &used), SPTCP_ERR_INVALID_DATA);
    const uint8_t short_str[10] = {4, 0, 0, 0, 5, 0, 0, 0, 'a', 'b'};
    CHECK_EQ(sptcp_bytes_to_var(short_str, 10, 4, false, &v, &used), SPTCP_ERR_FILE_EOF);
    CHECK_EQ(sptcp_bytes_to_var(NULL, 4, 4, false, &v, &used), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_bytes_to_var(NULL, 0, 4, false, &v, &used), SPTCP_ERR_INVALID_DATA);
    CHECK_EQ(sptcp_bytes_to_var(one, 1, 4, false, NULL, &used), SPTCP_ERR_INVALID_PARAMETER);

    /* A PackedByteArray of 3 bytes without its last padding byte: Godot
     * accepts it, and `used` counts only the 11 bytes given, so a caller
     * stepping through a buffer by `used` never walks past its end. */
    const uint8_t no_pad[11] = {0x1d, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3};
    for (int major = 3; major <= 4; major++) {
        uint8_t g[11];
        memcpy(g, no_pad, sizeof g);
        if (major == 3) {
            g[0] = 20; /* Godot 3's POOL_BYTE_ARRAY */
        }
        used = 99;
        CHECK_EQ(sptcp_bytes_to_var(g, sizeof g, major, false, &v, &used), SPTCP_OK);
        CHECK_EQ(used, 11);
        const void *data = NULL;
        size_t count = 0;
        CHECK_EQ(sptcp_variant_get_packed(v, &data, &count), SPTCP_OK);
        CHECK(count == 3 && memcmp(data, "\x01\x02\x03", 3) == 0);
        sptcp_variant_free(v);
    }

    /* Every truncation of a valid encoding fails cleanly. */
    sptcp_variant *vals[64];
    int n = make_every_type(vals, 64);
    for (int i = 0; i < n; i++) {
        uint8_t *b = NULL;
        size_t len = 0;
        if (sptcp_var_to_bytes(vals[i], 4, true, &b, &len) == SPTCP_OK) {
            for (size_t cut = 0; cut < len; cut++) {
                /* A byte array's missing tail padding is accepted, as Godot. */
                int pad_only = sptcp_variant_get_type(vals[i]) == SPTCP_TYPE_PACKED_BYTE_ARRAY && cut >= len - 3;
                sptcp_error e = sptcp_bytes_to_var(b, cut, 4, true, &v, NULL);
                CHECK(pad_only || e != SPTCP_OK);
                sptcp_variant_free(v);
            }
        }
        sptcp_bytes_free(b);
        sptcp_variant_free(vals[i]);
    }

    /* get_var: a length prefix above the peer's limit, or negative, is
     * refused before allocating; the stream stays usable. */
    sptcp_peer *p = sptcp_buffer_new();
    sptcp_put_u32(p, 0xfffffff0u); /* negative as int32 */
    sptcp_put_u32(p, 0x7ffffff0u); /* 2 GiB */
    sptcp_put_u32(p, 8);
    const uint8_t int7[8] = {2, 0, 0, 0, 7, 0, 0, 0};
    sptcp_put_data(p, int7, 8);
    sptcp_buffer_seek(p, 0);
    CHECK_EQ(sptcp_get_var(p, false, &v), SPTCP_ERR_INVALID_DATA);
    CHECK(v == NULL);
    CHECK_EQ(sptcp_get_var(p, false, &v), SPTCP_ERR_INVALID_DATA);
    CHECK(strstr(sptcp_last_error_message(), "max message size") != NULL);
    CHECK_EQ(sptcp_get_var(p, false, &v), SPTCP_OK);
    int64_t iv = 0;
    CHECK(sptcp_variant_get_int(v, &iv) == SPTCP_OK && iv == 7);
    sptcp_variant_free(v);
    /* Bytes past the value are dropped, as in Godot. */
    sptcp_buffer_clear(p);
    sptcp_put_u32(p, 12);
    const uint8_t extra[12] = {1, 0, 0, 0, 1, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd};
    sptcp_put_data(p, extra, 12);
    sptcp_put_u8(p, 0x5a);
    sptcp_buffer_seek(p, 0);
    CHECK_EQ(sptcp_get_var(p, false, &v), SPTCP_OK);
    CHECK_EQ(sptcp_variant_get_type(v), SPTCP_TYPE_BOOL);
    sptcp_variant_free(v);
    uint8_t tail = 0;
    CHECK(sptcp_get_u8(p, &tail) == SPTCP_OK && tail == 0x5a);
    /* A zero length: nothing to decode. */
    sptcp_buffer_clear(p);
    sptcp_put_u32(p, 0);
    sptcp_buffer_seek(p, 0);
    CHECK_EQ(sptcp_get_var(p, false, &v), SPTCP_ERR_INVALID_DATA);
    sptcp_peer_free(p);
}

static void null_handles(void) {
    sptcp_variant *v = sptcp_variant_new_int(1);
    int64_t i = 5;
    bool b = true;
    double d = 1;
    const char *s = "x";
    size_t n = 3;
    uint64_t id = 4;
    const void *data = "x";
    CHECK_EQ(sptcp_variant_get_type(NULL), SPTCP_TYPE_NIL);
    CHECK(sptcp_variant_get_int(NULL, &i) == SPTCP_ERR_INVALID_PARAMETER && i == 0);
    CHECK(sptcp_variant_get_int(v, NULL) == SPTCP_ERR_INVALID_PARAMETER);
    CHECK(sptcp_variant_get_bool(NULL, &b) == SPTCP_ERR_INVALID_PARAMETER && !b);
    CHECK(sptcp_variant_get_float(NULL, &d) == SPTCP_ERR_INVALID_PARAMETER && d == 0);
    CHECK(sptcp_variant_get_string(NULL, &s, &n) == SPTCP_ERR_INVALID_PARAMETER && s == NULL && n == 0);
    CHECK(sptcp_variant_get_math(NULL, NULL, 0, &n) == SPTCP_ERR_INVALID_PARAMETER);
    CHECK(sptcp_variant_get_id(NULL, &id) == SPTCP_ERR_INVALID_PARAMETER && id == 0);
    CHECK(sptcp_variant_get_packed(NULL, &data, &n) == SPTCP_ERR_INVALID_PARAMETER && data == NULL);
    CHECK(sptcp_variant_get_packed_string(NULL, 0, &s, &n) == SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_size(NULL), 0);
    CHECK(!sptcp_variant_equal(NULL, v));
    CHECK(!sptcp_variant_equal(NULL, NULL));
    CHECK(sptcp_variant_duplicate(NULL) == NULL);
    sptcp_variant_free(NULL);
    CHECK(sptcp_variant_new_string(NULL) == NULL);
    CHECK(sptcp_variant_new_string("\xff") == NULL);
    CHECK(sptcp_variant_new_string_name(NULL) == NULL);
    CHECK(sptcp_variant_new_node_path(NULL) == NULL);
    CHECK(sptcp_variant_new_signal(NULL, 1) == NULL);
    CHECK(sptcp_variant_new_object(NULL) == NULL);
    /* Containers: NULL container frees the item; NULL item is refused. */
    CHECK_EQ(sptcp_variant_array_push(NULL, sptcp_variant_new_int(1)), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_variant *arr = sptcp_variant_new_array();
    CHECK_EQ(sptcp_variant_array_push(arr, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_array_push(v, sptcp_variant_new_int(1)), SPTCP_ERR_INVALID_PARAMETER); /* not an array */
    CHECK(sptcp_variant_array_get(NULL, 0) == NULL);
    CHECK(sptcp_variant_array_get(v, 0) == NULL);
    CHECK_EQ(sptcp_variant_array_set_typed(NULL, SPTCP_TYPE_INT), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_array_set_typed(arr, 77), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_dict_set(NULL, sptcp_variant_new_int(1), sptcp_variant_new_int(2)), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_dict_set(arr, sptcp_variant_new_int(1), sptcp_variant_new_int(2)), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_variant *dict = sptcp_variant_new_dictionary();
    CHECK_EQ(sptcp_variant_dict_set(dict, NULL, sptcp_variant_new_int(2)), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_size(dict), 0);
    CHECK(sptcp_variant_dict_get(NULL, v) == NULL);
    CHECK(sptcp_variant_dict_get(dict, NULL) == NULL);
    CHECK(sptcp_variant_dict_get(dict, v) == NULL);
    CHECK_EQ(sptcp_variant_dict_entry(NULL, 0, NULL, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_dict_set_typed(NULL, 0, 0), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_object_set(NULL, "x", sptcp_variant_new_int(1)), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_object_set(dict, "x", sptcp_variant_new_int(1)), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_object_get_class(NULL, &s, &n), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_variant_object_property(NULL, 0, NULL, NULL), SPTCP_ERR_INVALID_PARAMETER);
    /* Wire calls. */
    sptcp_variant *out = (sptcp_variant *)1;
    CHECK_EQ(sptcp_put_var(NULL, v, false), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_peer *p = sptcp_buffer_new();
    CHECK_EQ(sptcp_put_var(p, NULL, false), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_get_var(NULL, false, &out), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(out == NULL);
    CHECK_EQ(sptcp_get_var(p, false, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_set_variant_format(NULL, 4), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_get_variant_format(NULL), 0);
    uint8_t *bytes = (uint8_t *)1;
    size_t len = 5;
    CHECK_EQ(sptcp_var_to_bytes(NULL, 4, false, &bytes, &len), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(bytes == NULL && len == 0);
    CHECK_EQ(sptcp_var_to_bytes(v, 4, false, NULL, &len), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_bytes_free(NULL);
    /* A TCP peer that is not connected: put_var fails like put_data. */
    sptcp_peer *t = sptcp_peer_new();
    CHECK_EQ(sptcp_put_var(t, v, false), SPTCP_FAILED);
    CHECK_EQ(sptcp_get_var(t, false, &out), SPTCP_FAILED);
    sptcp_peer_free(t);
    sptcp_peer_free(p);
    sptcp_variant_free(dict);
    sptcp_variant_free(arr);
    sptcp_variant_free(v);
}

static sptcp_variant *decoded(const uint8_t *bytes, size_t len) {
    sptcp_variant *v = NULL;
    size_t used = 0;
    CHECK_EQ(sptcp_bytes_to_var(bytes, len, 4, false, &v, &used), SPTCP_OK);
    CHECK_EQ(used, len);
    return v;
}

/* What a received container is typed as: Godot's reference vectors for
 * Array[int] and Dictionary[int, int], arrays typed by class name and by
 * script, untyped ones, and the errors. */
static void typed_getters(void) {
    const uint8_t typed_array[] = {0x1c, 0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0,
                                   0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1};
    sptcp_variant *a = decoded(typed_array, sizeof typed_array);
    int32_t t = -1;
    const char *name = "unset";
    CHECK_EQ(sptcp_variant_array_get_typed(a, &t, &name), SPTCP_OK);
    CHECK_EQ(t, SPTCP_TYPE_INT);
    CHECK(name == NULL);
    CHECK_EQ(sptcp_variant_array_get_typed(a, NULL, NULL), SPTCP_OK);
    sptcp_variant_free(a);

    const uint8_t typed_dict[] = {0x1b, 0, 5, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0,
                                  2, 0, 1, 0, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1,
                                  2, 0, 1, 0, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1};
    sptcp_variant *d = decoded(typed_dict, sizeof typed_dict);
    int32_t kt = -1, vt = -1;
    const char *kc = "unset", *vc = "unset";
    CHECK_EQ(sptcp_variant_dict_get_typed(d, &kt, &vt, &kc, &vc), SPTCP_OK);
    CHECK_EQ(kt, SPTCP_TYPE_INT);
    CHECK_EQ(vt, SPTCP_TYPE_INT);
    CHECK(kc == NULL && vc == NULL);
    sptcp_variant_free(d);

    /* Array[Node]: kind CLASS_NAME (2), the class name as a String, 0 items. */
    const uint8_t class_array[] = {0x1c, 0, 2, 0, 4, 0, 0, 0, 'N', 'o', 'd', 'e', 0, 0, 0, 0};
    a = decoded(class_array, sizeof class_array);
    CHECK_EQ(sptcp_variant_array_get_typed(a, &t, &name), SPTCP_OK);
    CHECK_EQ(t, SPTCP_TYPE_OBJECT);
    CHECK(name != NULL && strcmp(name, "Node") == 0);
    sptcp_variant_free(a);
    /* Dictionary[String, <script>]: key BUILTIN (bits 16-17 = 1), value
     * SCRIPT (bits 18-19 = 3): 0x0d << 16. */
    const uint8_t script_dict[] = {0x1b, 0, 0x0d, 0, 4, 0, 0, 0, 10, 0, 0, 0, 'r', 'e', 's', ':',
                                   '/', '/', 'a', '.', 'g', 'd', 0, 0, 0, 0, 0, 0};
    d = decoded(script_dict, sizeof script_dict);
    CHECK_EQ(sptcp_variant_dict_get_typed(d, &kt, &vt, &kc, &vc), SPTCP_OK);
    CHECK_EQ(kt, SPTCP_TYPE_STRING);
    CHECK(kc == NULL);
    CHECK_EQ(vt, SPTCP_TYPE_OBJECT);
    CHECK(vc != NULL && strcmp(vc, "res://a.gd") == 0 && strlen(vc) == 10);
    sptcp_variant_free(d);

    /* Untyped, typed by the builder, made untyped again. */
    a = sptcp_variant_new_array();
    CHECK_EQ(sptcp_variant_array_get_typed(a, &t, &name), SPTCP_OK);
    CHECK_EQ(t, SPTCP_TYPE_NIL);
    CHECK_EQ(sptcp_variant_array_set_typed(a, SPTCP_TYPE_VECTOR2), SPTCP_OK);
    CHECK_EQ(sptcp_variant_array_get_typed(a, &t, NULL), SPTCP_OK);
    CHECK_EQ(t, SPTCP_TYPE_VECTOR2);
    CHECK_EQ(sptcp_variant_array_set_typed(a, SPTCP_TYPE_NIL), SPTCP_OK);
    CHECK_EQ(sptcp_variant_array_get_typed(a, &t, NULL), SPTCP_OK);
    CHECK_EQ(t, SPTCP_TYPE_NIL);
    d = sptcp_variant_new_dictionary();
    CHECK_EQ(sptcp_variant_dict_set_typed(d, SPTCP_TYPE_NIL, SPTCP_TYPE_COLOR), SPTCP_OK);
    CHECK_EQ(sptcp_variant_dict_get_typed(d, &kt, &vt, NULL, NULL), SPTCP_OK);
    CHECK_EQ(kt, SPTCP_TYPE_NIL);
    CHECK_EQ(vt, SPTCP_TYPE_COLOR);

    /* Errors: NULL or the wrong kind of value reset the out values. */
    t = 5;
    name = "unset";
    CHECK_EQ(sptcp_variant_array_get_typed(NULL, &t, &name), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(t == SPTCP_TYPE_NIL && name == NULL);
    t = 5;
    CHECK_EQ(sptcp_variant_array_get_typed(d, &t, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(t, SPTCP_TYPE_NIL);
    kt = vt = 5;
    kc = vc = "unset";
    CHECK_EQ(sptcp_variant_dict_get_typed(a, &kt, &vt, &kc, &vc), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(kt == SPTCP_TYPE_NIL && vt == SPTCP_TYPE_NIL && kc == NULL && vc == NULL);
    CHECK_EQ(sptcp_variant_dict_get_typed(NULL, NULL, NULL, NULL, NULL), SPTCP_ERR_INVALID_PARAMETER);
    sptcp_variant_free(a);
    sptcp_variant_free(d);
}

/* Flat containers (only plain values inside) are freed without a drop
 * per value when none of their values owns memory; one value that does
 * (long text, a Vector3's numbers, a packed array) must still be freed.
 * Under check-mem and check-asan a leak here fails. */
static void flat_containers_free_what_they_own(void) {
    const char *long_text = "a key longer than twenty-one bytes";
    const double xyz[3] = {1, 2, 3};
    const uint8_t raw[3] = {7, 8, 9};
    for (int owner = 0; owner < 5; owner++) {
        sptcp_variant *d = sptcp_variant_new_dictionary(), *a = sptcp_variant_new_array();
        sptcp_variant_dict_set(d, sptcp_variant_new_string("hp"), sptcp_variant_new_int(3));
        sptcp_variant_array_push(a, sptcp_variant_new_int(3));
        for (int in_array = 0; in_array < 2; in_array++) {
            sptcp_variant *v = owner == 0   ? sptcp_variant_new_string(long_text)
                               : owner == 1 ? sptcp_variant_new_string_name(long_text)
                               : owner == 2 ? sptcp_variant_new_math(SPTCP_TYPE_VECTOR3, xyz, 3)
                               : owner == 3 ? sptcp_variant_new_packed(SPTCP_TYPE_PACKED_BYTE_ARRAY, raw, 3)
                                            : sptcp_variant_new_string("short");
            if (in_array) {
                CHECK_EQ(sptcp_variant_array_push(a, v), SPTCP_OK);
            } else {
                CHECK_EQ(sptcp_variant_dict_set(d, sptcp_variant_new_string(long_text + owner), v), SPTCP_OK);
            }
        }
        sptcp_variant *d2 = round_trip(d, 4), *a2 = round_trip(a, 4);
        CHECK(d2 != NULL && a2 != NULL);
        CHECK(sptcp_variant_equal(d, d2) && sptcp_variant_equal(a, a2));
        CHECK_EQ(sptcp_variant_size(d2), 2);
        sptcp_variant *key = sptcp_variant_new_string(long_text + owner);
        const sptcp_variant *got = sptcp_variant_dict_get(d2, key);
        CHECK(got != NULL && sptcp_variant_equal(got, sptcp_variant_array_get(a2, 1)));
        sptcp_variant_free(key);
        sptcp_variant_free(d);
        sptcp_variant_free(a);
        sptcp_variant_free(d2);
        sptcp_variant_free(a2);
    }
}

/* Appends a length-prefixed message (a 4-byte prefix, little- or
 * big-endian, then `body`) to `out` at *len. */
static void add_message(uint8_t *out, size_t *len, const uint8_t *body, size_t n, int32_t prefix, int big_endian) {
    uint32_t p = (uint32_t)prefix;
    for (int i = 0; i < 4; i++) {
        out[*len + (size_t)i] = (uint8_t)(big_endian ? p >> (24 - 8 * i) : p >> (8 * i));
    }
    memcpy(out + *len + 4, body, n);
    *len += 4 + n;
}

/* Appends put_var's message for `v` (Godot 4 format). */
static void add_var(uint8_t *out, size_t *len, const sptcp_variant *v, int big_endian) {
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK_EQ(sptcp_var_to_bytes(v, 4, false, &b, &n), SPTCP_OK);
    add_message(out, len, b, n, (int32_t)n, big_endian);
    sptcp_bytes_free(b);
}

struct later {
    sptcp_peer *to;
    const uint8_t *bytes;
    size_t len;
};

/* Sends `bytes` after 30 ms (so the reader has to wait for them). */
static void *send_later(void *arg) {
    struct later *l = arg;
    sleep_ms(30);
    CHECK_EQ(sptcp_put_data(l->to, l->bytes, l->len), SPTCP_OK);
    return NULL;
}

/* Sends `bytes` in one call and waits (bounded) until all of them can be
 * read, so that the reader's next receive gets them all. */
static void send_all_there(sptcp_peer *from, sptcp_peer *to, const uint8_t *bytes, size_t len) {
    CHECK_EQ(sptcp_put_data(from, bytes, len), SPTCP_OK);
    CHECK_EQ(wait_for_bytes(to, (int32_t)len, 5000), (int32_t)len);
}

/* Checks that `n` bytes wait to be read on `p`: false (a failed check)
 * when they do not, so that a read that waits with no limit is not made. */
static int bytes_there(sptcp_peer *p, int32_t n) {
    CHECK_EQ(sptcp_get_available_bytes(p), n);
    return sptcp_get_available_bytes(p) == n;
}

/* get_var on a socket whose reads wait in the kernel reads a whole message
 * straight from one receive: what comes after it in that receive (another
 * message, a typed value) stays to be read; a prefix that is negative or
 * above the limit, a body that does not decode and a message that comes
 * in two parts behave as on every other path. */
static void messages_from_one_receive(void) {
    sptcp_server *s = sptcp_server_new();
    start_server(s, "127.0.0.1");
    sptcp_peer *c = NULL, *a = NULL;
    if (connect_pair(s, &c, &a) != 0) {
        CHECK(!"connect_pair");
        sptcp_server_free(s);
        return;
    }
    sptcp_variant *d = sptcp_variant_new_dictionary();
    sptcp_variant_dict_set(d, sptcp_variant_new_string("hp"), sptcp_variant_new_int(42));
    sptcp_variant_dict_set(d, sptcp_variant_new_string("name"), sptcp_variant_new_string("player"));
    sptcp_variant *seven = sptcp_variant_new_int(7);
    uint8_t blob[512];
    size_t len = 0;
    sptcp_variant *got = NULL;

    /* The first message comes while the reader waits: from then on its
     * reads wait in the kernel. */
    add_var(blob, &len, seven, 0);
    struct later l = {c, blob, len};
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, send_later, &l), 0);
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_OK);
    CHECK(got != NULL && sptcp_variant_equal(got, seven));
    sptcp_variant_free(got);
    pthread_join(t, NULL);

    /* Two messages and a u32 in one receive. */
    len = 0;
    add_var(blob, &len, d, 0);
    add_var(blob, &len, seven, 0);
    memcpy(blob + len, "\x78\x56\x34\x12", 4);
    len += 4;
    send_all_there(c, a, blob, len);
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_OK);
    CHECK(got != NULL && sptcp_variant_equal(got, d));
    sptcp_variant_free(got);
    /* (Each read below waits with no limit: it runs only where its bytes
     * are there, so a failure fails the test instead of hanging it.) */
    if (!bytes_there(a, 12 + 4)) {
        goto out;
    }
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_OK);
    CHECK(got != NULL && sptcp_variant_equal(got, seven));
    sptcp_variant_free(got);
    uint32_t u = 0;
    CHECK_EQ(sptcp_get_u32(a, &u), SPTCP_OK);
    CHECK_EQ(u, 0x12345678u);
    CHECK_EQ(sptcp_get_available_bytes(a), 0);

    /* Big-endian prefixes (the body stays little-endian). */
    sptcp_set_big_endian(a, true);
    len = 0;
    add_var(blob, &len, d, 1);
    send_all_there(c, a, blob, len);
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_OK);
    CHECK(got != NULL && sptcp_variant_equal(got, d));
    sptcp_variant_free(got);
    sptcp_set_big_endian(a, false);

    /* A prefix above the limit, then a negative one: refused, the prefix
     * consumed, the payload not. */
    uint8_t payload[40];
    memset(payload, 0, sizeof payload);
    sptcp_set_max_message_size(a, 32);
    len = 0;
    add_message(blob, &len, payload, 40, 40, 0);
    send_all_there(c, a, blob, len);
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_ERR_INVALID_DATA);
    CHECK(got == NULL);
    if (!bytes_there(a, 40)) {
        goto out;
    }
    CHECK_EQ(sptcp_get_data(a, payload, 40, NULL), SPTCP_OK);
    len = 0;
    add_message(blob, &len, payload, 8, -8, 0);
    send_all_there(c, a, blob, len);
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_ERR_INVALID_DATA);
    if (!bytes_there(a, 8)) {
        goto out;
    }
    CHECK_EQ(sptcp_get_data(a, payload, 8, NULL), SPTCP_OK);
    sptcp_set_max_message_size(a, 64u << 20);

    /* A body that does not decode (type 9999), then a good message: the
     * bad one is consumed whole. */
    const uint8_t bad[8] = {0x0f, 0x27, 0, 0, 0, 0, 0, 0};
    len = 0;
    add_message(blob, &len, bad, 8, 8, 0);
    add_var(blob, &len, seven, 0);
    send_all_there(c, a, blob, len);
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_ERR_INVALID_DATA);
    CHECK(got == NULL);
    if (!bytes_there(a, 12)) {
        goto out;
    }
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_OK);
    CHECK(got != NULL && sptcp_variant_equal(got, seven));
    sptcp_variant_free(got);

    /* A message in two parts, its last byte coming while the reader
     * waits. */
    len = 0;
    add_var(blob, &len, d, 0);
    send_all_there(c, a, blob, len - 1);
    struct later rest = {c, blob + len - 1, 1};
    CHECK_EQ(pthread_create(&t, NULL, send_later, &rest), 0);
    CHECK_EQ(sptcp_get_var(a, false, &got), SPTCP_OK);
    CHECK(got != NULL && sptcp_variant_equal(got, d));
    sptcp_variant_free(got);
    pthread_join(t, NULL);
    CHECK_EQ(sptcp_get_available_bytes(a), 0);

out:
    sptcp_variant_free(seven);
    sptcp_variant_free(d);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

int main(void) {
    readme_dictionary();
    godot_vectors();
    typed_getters();
    every_type();
    godot3();
    accessors();
    nesting_limit();
    bad_input();
    null_handles();
    flat_containers_free_what_they_own();
    messages_from_one_receive();
    return check_summary("test_variant");
}
