/* StreamPeer typed values and strings: Godot's reference byte vectors on
 * buffers and on real loopback sockets, both byte orders, edge values, bad
 * length prefixes, and Godot's StreamPeer / StreamPeerBuffer tests ported. */
#include "check.h"

#include <float.h>
#include <math.h>

/* Bytes written so far to a buffer peer must equal `want`. */
#define CHECK_BYTES(peer, want)                                                 \
    do {                                                                        \
        uint8_t got_[256] = {0};                                                \
        size_t n_ = sptcp_buffer_get_data_array((peer), got_, sizeof got_);     \
        CHECK_EQ(n_, sizeof(want));                                             \
        CHECK(memcmp(got_, (want), sizeof(want)) == 0);                         \
    } while (0)

static sptcp_peer *fresh(bool big_endian) {
    sptcp_peer *b = sptcp_buffer_new();
    sptcp_set_big_endian(b, big_endian);
    return b;
}

/* Godot's marshalls and StreamPeer vectors, little- and big-endian. */
static void reference_vectors(void) {
    for (int be = 0; be < 2; be++) {
        sptcp_peer *b;
#define VEC(call, ...)                                                          \
    do {                                                                        \
        const uint8_t le_[] = {__VA_ARGS__};                                    \
        uint8_t want_[sizeof le_];                                              \
        for (size_t i_ = 0; i_ < sizeof le_; i_++) {                            \
            want_[i_] = be ? le_[sizeof le_ - 1 - i_] : le_[i_];                \
        }                                                                       \
        b = fresh(be);                                                          \
        CHECK_EQ(call, SPTCP_OK);                                               \
        CHECK_BYTES(b, want_);                                                  \
        sptcp_peer_free(b);                                                     \
    } while (0)
        VEC(sptcp_put_u16(b, 0x1234), 0x34, 0x12);
        VEC(sptcp_put_16(b, -2), 0xfe, 0xff);
        VEC(sptcp_put_u32(b, 0x12345678u), 0x78, 0x56, 0x34, 0x12);
        VEC(sptcp_put_32(b, INT32_MIN), 0x00, 0x00, 0x00, 0x80);
        VEC(sptcp_put_u64(b, 0xf123456789abcdefULL), 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1);
        VEC(sptcp_put_64(b, INT64_MIN), 0, 0, 0, 0, 0, 0, 0, 0x80);
        VEC(sptcp_put_u64(b, UINT64_MAX), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
        VEC(sptcp_put_half(b, 0.33325195f), 0x55, 0x35);
        VEC(sptcp_put_half(b, 3.1415927f), 0x48, 0x42);
        VEC(sptcp_put_half(b, 65520.0f), 0xff, 0x7b); /* truncated to 65504 */
        VEC(sptcp_put_half(b, 1e-5f), 0x00, 0x00);   /* below 2^-14: +0 */
        VEC(sptcp_put_half(b, -1e-5f), 0x00, 0x00);  /* sign lost too */
        VEC(sptcp_put_half(b, INFINITY), 0x00, 0x7c);
        VEC(sptcp_put_half(b, -70000.0f), 0x00, 0xfc);
        VEC(sptcp_put_half(b, NAN), 0xff, 0x7f);
        VEC(sptcp_put_float(b, 0.15625f), 0x00, 0x00, 0x20, 0x3e);
        VEC(sptcp_put_float(b, 3.1415f), 0x56, 0x0e, 0x49, 0x40);
        VEC(sptcp_put_float(b, -0.0f), 0x00, 0x00, 0x00, 0x80);
        VEC(sptcp_put_double(b, 0.33333333333333333), 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xd5, 0x3f);
        VEC(sptcp_put_double(b, -INFINITY), 0, 0, 0, 0, 0, 0, 0xf0, 0xff);
        VEC(sptcp_put_8(b, -128), 0x80);
        VEC(sptcp_put_u8(b, 255), 0xff);
#undef VEC
    }
    /* Strings: the prefix follows the byte order, the bytes do not. */
    sptcp_peer *b = fresh(false);
    CHECK_EQ(sptcp_put_string(b, "Hello, World!"), SPTCP_OK);
    const uint8_t hello[] = {0x0d, 0, 0, 0, 'H', 'e', 'l', 'l', 'o', ',', ' ', 'W', 'o', 'r', 'l', 'd', '!'};
    CHECK_BYTES(b, hello);
    sptcp_peer_free(b);
    b = fresh(false);
    CHECK_EQ(sptcp_put_utf8_string(b, "Hello\xe2\x9c\xa9, World\xe2\x9c\xa9!"), SPTCP_OK);
    const uint8_t star[] = {0x13, 0, 0, 0, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0xe2, 0x9c, 0xa9, 0x2c, 0x20,
                            0x57, 0x6f, 0x72, 0x6c, 0x64, 0xe2, 0x9c, 0xa9, 0x21};
    CHECK_BYTES(b, star);
    sptcp_peer_free(b);
    b = fresh(true);
    CHECK_EQ(sptcp_put_string(b, "H\xc3\xa9\xe2\x9c\xa9"), SPTCP_OK); /* "Hé✩": 3 chars */
    const uint8_t ascii[] = {0, 0, 0, 3, 'H', ' ', ' '};
    CHECK_BYTES(b, ascii);
    sptcp_peer_free(b);
    b = fresh(false);
    CHECK_EQ(sptcp_put_utf8_string(b, ""), SPTCP_OK);
    const uint8_t empty[] = {0, 0, 0, 0};
    CHECK_BYTES(b, empty);
    sptcp_peer_free(b);
}

/* Every typed value written and read back, both byte orders (Godot's
 * test_stream_peer.h cases, with edge values added). */
static void round_trips(void) {
    for (int be = 0; be < 2; be++) {
        sptcp_peer *b = fresh(be);
        CHECK_EQ(sptcp_is_big_endian_enabled(b), be);
        CHECK_EQ(sptcp_put_8(b, INT8_MIN), SPTCP_OK);
        CHECK_EQ(sptcp_put_u8(b, UINT8_MAX), SPTCP_OK);
        CHECK_EQ(sptcp_put_16(b, INT16_MIN), SPTCP_OK);
        CHECK_EQ(sptcp_put_u16(b, UINT16_MAX), SPTCP_OK);
        CHECK_EQ(sptcp_put_32(b, INT32_MIN), SPTCP_OK);
        CHECK_EQ(sptcp_put_u32(b, UINT32_MAX), SPTCP_OK);
        CHECK_EQ(sptcp_put_64(b, INT64_MIN), SPTCP_OK);
        CHECK_EQ(sptcp_put_u64(b, UINT64_MAX), SPTCP_OK);
        CHECK_EQ(sptcp_put_half(b, -0.5f), SPTCP_OK);
        CHECK_EQ(sptcp_put_float(b, -FLT_MAX), SPTCP_OK);
        CHECK_EQ(sptcp_put_float(b, NAN), SPTCP_OK);
        CHECK_EQ(sptcp_put_double(b, DBL_MIN / 4), SPTCP_OK); /* subnormal */
        CHECK_EQ(sptcp_put_double(b, -0.0), SPTCP_OK);
        CHECK_EQ(sptcp_put_string(b, "ascii"), SPTCP_OK);
        CHECK_EQ(sptcp_put_utf8_string(b, "\xc3\xbc\xe2\x9c\xa9"), SPTCP_OK);
        CHECK_EQ(sptcp_buffer_get_size(b), 1 + 1 + 2 + 2 + 4 + 4 + 8 + 8 + 2 + 4 + 4 + 8 + 8 + 9 + 9);
        CHECK_EQ(sptcp_buffer_seek(b, 0), SPTCP_OK);

        int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32; uint32_t u32;
        int64_t i64; uint64_t u64; float f; double d;
        CHECK(sptcp_get_8(b, &i8) == SPTCP_OK && i8 == INT8_MIN);
        CHECK(sptcp_get_u8(b, &u8) == SPTCP_OK && u8 == UINT8_MAX);
        CHECK(sptcp_get_16(b, &i16) == SPTCP_OK && i16 == INT16_MIN);
        CHECK(sptcp_get_u16(b, &u16) == SPTCP_OK && u16 == UINT16_MAX);
        CHECK(sptcp_get_32(b, &i32) == SPTCP_OK && i32 == INT32_MIN);
        CHECK(sptcp_get_u32(b, &u32) == SPTCP_OK && u32 == UINT32_MAX);
        CHECK(sptcp_get_64(b, &i64) == SPTCP_OK && i64 == INT64_MIN);
        CHECK(sptcp_get_u64(b, &u64) == SPTCP_OK && u64 == UINT64_MAX);
        CHECK(sptcp_get_half(b, &f) == SPTCP_OK && f == -0.5f);
        CHECK(sptcp_get_float(b, &f) == SPTCP_OK && f == -FLT_MAX);
        CHECK(sptcp_get_float(b, &f) == SPTCP_OK && isnan(f));
        CHECK(sptcp_get_double(b, &d) == SPTCP_OK && d == DBL_MIN / 4);
        CHECK(sptcp_get_double(b, &d) == SPTCP_OK && d == 0.0 && signbit(d));
        char *s = NULL;
        size_t len = 99;
        CHECK_EQ(sptcp_get_string(b, -1, &s, &len), SPTCP_OK);
        CHECK_STR(s, "ascii");
        CHECK_EQ(len, 5);
        sptcp_string_free(s);
        CHECK_EQ(sptcp_get_utf8_string(b, -1, &s, &len), SPTCP_OK);
        CHECK_STR(s, "\xc3\xbc\xe2\x9c\xa9");
        CHECK_EQ(len, 5);
        sptcp_string_free(s);
        CHECK_EQ(sptcp_get_available_bytes(b), 0);
        /* Nothing left: errors, and zeroed outputs. */
        u64 = 42;
        CHECK_EQ(sptcp_get_u64(b, &u64), SPTCP_ERR_INVALID_PARAMETER);
        CHECK_EQ(u64, 0);
        f = 1.0f;
        CHECK_EQ(sptcp_get_half(b, &f), SPTCP_ERR_INVALID_PARAMETER);
        CHECK(f == 0.0f);
        sptcp_peer_free(b);
    }
}

/* Half decoding: exact, subnormals included. */
static void half_decoding(void) {
    const struct {
        uint8_t lo, hi;
        float want;
    } cases[] = {
        {0x01, 0x00, 5.9604645e-08f},   /* smallest subnormal, 2^-24 */
        {0xff, 0x03, 6.0975552e-05f},   /* largest subnormal */
        {0x00, 0x04, 6.1035156e-05f},   /* smallest normal, 2^-14 */
        {0xff, 0x7b, 65504.0f},
        {0x00, 0x3c, 1.0f},
        {0x00, 0xc0, -2.0f},
        {0x55, 0x35, 0.33325195f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sptcp_peer *b = sptcp_buffer_new();
        uint8_t raw[2] = {cases[i].lo, cases[i].hi};
        sptcp_buffer_set_data_array(b, raw, 2);
        float f = 0;
        CHECK_EQ(sptcp_get_half(b, &f), SPTCP_OK);
        CHECK(f == cases[i].want);
        sptcp_peer_free(b);
    }
    sptcp_peer *b = sptcp_buffer_new();
    const uint8_t specials[] = {0x00, 0x7c, 0x00, 0xfc, 0x00, 0x7e, 0x00, 0x80};
    sptcp_buffer_set_data_array(b, specials, sizeof specials);
    float f;
    CHECK(sptcp_get_half(b, &f) == SPTCP_OK && isinf(f) && f > 0);
    CHECK(sptcp_get_half(b, &f) == SPTCP_OK && isinf(f) && f < 0);
    CHECK(sptcp_get_half(b, &f) == SPTCP_OK && isnan(f));
    CHECK(sptcp_get_half(b, &f) == SPTCP_OK && f == 0.0f && signbit(f));
    sptcp_peer_free(b);
}

/* get_string decoding rules: Latin-1, NUL stops, BOM skipped, U+FFFD. */
static void string_decoding(void) {
    struct {
        int utf8;
        const char *wire;
        size_t n;
        const char *want;
    } cases[] = {
        {0, "caf\xe9", 4, "caf\xc3\xa9"},          /* Latin-1 é → UTF-8 */
        {0, "ab\0cd", 5, "ab"},                     /* stops at NUL */
        {1, "\xef\xbb\xbfhi", 5, "hi"},             /* BOM skipped */
        {1, "x\0y", 3, "x"},
        {1, "a\xff" "b", 3, "a\xef\xbf\xbd" "b"},   /* invalid → U+FFFD */
        {1, "\xe2\x9c", 2, "\xef\xbf\xbd"},         /* cut short */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sptcp_peer *b = sptcp_buffer_new();
        CHECK_EQ(sptcp_put_u32(b, (uint32_t)cases[i].n), SPTCP_OK);
        CHECK_EQ(sptcp_put_data(b, (const uint8_t *)cases[i].wire, cases[i].n), SPTCP_OK);
        sptcp_buffer_seek(b, 0);
        char *s = NULL;
        size_t len = 0;
        sptcp_error e = cases[i].utf8 ? sptcp_get_utf8_string(b, -1, &s, &len) : sptcp_get_string(b, -1, &s, &len);
        CHECK_EQ(e, SPTCP_OK);
        CHECK_STR(s, cases[i].want);
        CHECK_EQ(len, strlen(cases[i].want));
        CHECK_EQ(sptcp_get_available_bytes(b), 0); /* all n bytes consumed */
        sptcp_string_free(s);
        /* The same bytes read with an explicit length (no prefix). */
        sptcp_buffer_seek(b, 4);
        e = cases[i].utf8 ? sptcp_get_utf8_string(b, (int32_t)cases[i].n, &s, NULL)
                          : sptcp_get_string(b, (int32_t)cases[i].n, &s, NULL);
        CHECK_EQ(e, SPTCP_OK);
        CHECK_STR(s, cases[i].want);
        sptcp_string_free(s);
        sptcp_peer_free(b);
    }
    sptcp_peer *b = sptcp_buffer_new();
    char *s = (char *)"sentinel";
    size_t len = 7;
    CHECK_EQ(sptcp_get_string(b, 0, &s, &len), SPTCP_OK); /* bytes 0: "" */
    CHECK_STR(s, "");
    CHECK_EQ(len, 0);
    sptcp_string_free(s);
    sptcp_peer_free(b);
}

/* Length prefixes that are negative, huge or longer than the data. */
static void bad_lengths(void) {
    sptcp_peer *b = sptcp_buffer_new();
    char *s = (char *)"sentinel";
    size_t len = 7;
    /* Negative prefix: INVALID_DATA (Godot returns ""), prefix consumed. */
    sptcp_put_32(b, -5);
    sptcp_buffer_seek(b, 0);
    CHECK_EQ(sptcp_get_string(b, -1, &s, &len), SPTCP_ERR_INVALID_DATA);
    CHECK(s == NULL && len == 0);
    CHECK_EQ(sptcp_buffer_get_position(b), 4);
    /* 0xFFFFFFF0 is negative as a signed prefix too. */
    sptcp_buffer_clear(b);
    sptcp_put_u32(b, 0xfffffff0u);
    sptcp_buffer_seek(b, 0);
    CHECK_EQ(sptcp_get_utf8_string(b, -1, &s, &len), SPTCP_ERR_INVALID_DATA);
    CHECK(s == NULL);
    /* Above the max message size: refused before allocating. */
    CHECK_EQ(sptcp_get_max_message_size(b), 64u << 20);
    sptcp_buffer_clear(b);
    sptcp_put_u32(b, 0x7fffffffu);
    sptcp_put_data(b, (const uint8_t *)"abc", 3);
    sptcp_buffer_seek(b, 0);
    CHECK_EQ(sptcp_get_utf8_string(b, -1, &s, &len), SPTCP_ERR_INVALID_DATA);
    CHECK(strstr(sptcp_last_error_message(), "max message size") != NULL);
    CHECK_EQ(sptcp_buffer_get_position(b), 4); /* payload not read */
    sptcp_set_max_message_size(b, 2);
    CHECK_EQ(sptcp_get_max_message_size(b), 2);
    CHECK_EQ(sptcp_get_string(b, 3, &s, &len), SPTCP_ERR_INVALID_DATA); /* explicit length too */
    CHECK_EQ(sptcp_get_string(b, 2, &s, &len), SPTCP_OK);
    CHECK_STR(s, "ab");
    sptcp_string_free(s);
    /* Longer than the data: the buffer's get_data error; what was there is
     * consumed. */
    sptcp_set_max_message_size(b, 1000);
    sptcp_buffer_clear(b);
    sptcp_put_u32(b, 10);
    sptcp_put_data(b, (const uint8_t *)"abc", 3);
    sptcp_buffer_seek(b, 0);
    CHECK_EQ(sptcp_get_string(b, -1, &s, &len), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(s == NULL && len == 0);
    CHECK_EQ(sptcp_buffer_get_position(b), 7);
    /* Invalid UTF-8 going out: refused, nothing written. */
    sptcp_buffer_clear(b);
    CHECK_EQ(sptcp_put_utf8_string(b, "bad\xc3"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_string(b, "\xff"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_string(b, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_get_size(b), 0);
    /* NULL out pointers. */
    sptcp_put_u32(b, 1);
    sptcp_buffer_seek(b, 0);
    CHECK_EQ(sptcp_get_u32(b, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_get_string(b, -1, NULL, &len), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(len, 0);
    CHECK_EQ(sptcp_buffer_get_position(b), 0); /* nothing consumed */
    sptcp_peer_free(b);
}

/* NULL handles for every typed and string call. */
static void null_handles(void) {
    int8_t i8 = 1; uint8_t u8 = 1; int16_t i16 = 1; uint16_t u16 = 1; int32_t i32 = 1;
    uint32_t u32 = 1; int64_t i64 = 1; uint64_t u64 = 1; float f = 1; double d = 1;
    CHECK_EQ(sptcp_put_8(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_u8(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_16(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_u16(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_32(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_u32(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_64(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_u64(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_half(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_float(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_double(NULL, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_string(NULL, "x"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_put_utf8_string(NULL, "x"), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(sptcp_get_8(NULL, &i8) == SPTCP_ERR_INVALID_PARAMETER && i8 == 0);
    CHECK(sptcp_get_u8(NULL, &u8) == SPTCP_ERR_INVALID_PARAMETER && u8 == 0);
    CHECK(sptcp_get_16(NULL, &i16) == SPTCP_ERR_INVALID_PARAMETER && i16 == 0);
    CHECK(sptcp_get_u16(NULL, &u16) == SPTCP_ERR_INVALID_PARAMETER && u16 == 0);
    CHECK(sptcp_get_32(NULL, &i32) == SPTCP_ERR_INVALID_PARAMETER && i32 == 0);
    CHECK(sptcp_get_u32(NULL, &u32) == SPTCP_ERR_INVALID_PARAMETER && u32 == 0);
    CHECK(sptcp_get_64(NULL, &i64) == SPTCP_ERR_INVALID_PARAMETER && i64 == 0);
    CHECK(sptcp_get_u64(NULL, &u64) == SPTCP_ERR_INVALID_PARAMETER && u64 == 0);
    CHECK(sptcp_get_half(NULL, &f) == SPTCP_ERR_INVALID_PARAMETER && f == 0);
    f = 1;
    CHECK(sptcp_get_float(NULL, &f) == SPTCP_ERR_INVALID_PARAMETER && f == 0);
    CHECK(sptcp_get_double(NULL, &d) == SPTCP_ERR_INVALID_PARAMETER && d == 0);
    char *s = (char *)"x";
    size_t len = 3;
    CHECK_EQ(sptcp_get_string(NULL, -1, &s, &len), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(s == NULL && len == 0);
    s = (char *)"x";
    CHECK_EQ(sptcp_get_utf8_string(NULL, -1, &s, NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(s == NULL);
    sptcp_string_free(NULL);
    sptcp_set_big_endian(NULL, true);
    CHECK(!sptcp_is_big_endian_enabled(NULL));
    sptcp_set_max_message_size(NULL, 5);
    CHECK_EQ(sptcp_get_max_message_size(NULL), 0);
}

/* StreamPeerBuffer calls: Godot's cursor rules, NULL, and TCP peers. */
static void buffer_calls(void) {
    sptcp_peer *b = sptcp_buffer_new();
    CHECK_EQ(sptcp_buffer_get_size(b), 0);
    CHECK_EQ(sptcp_buffer_get_position(b), 0);
    CHECK_EQ(sptcp_get_available_bytes(b), 0);
    const uint8_t abc[] = {1, 2, 3};
    CHECK_EQ(sptcp_put_data(b, abc, 3), SPTCP_OK);
    CHECK_EQ(sptcp_buffer_get_position(b), 3);
    size_t sent = 0;
    CHECK_EQ(sptcp_put_partial_data(b, abc, 3, &sent), SPTCP_OK);
    CHECK_EQ(sent, 3);
    CHECK_EQ(sptcp_buffer_get_size(b), 6);
    /* Godot: one byte left, three asked → error, the byte is consumed. */
    CHECK_EQ(sptcp_buffer_seek(b, 5), SPTCP_OK);
    uint8_t out[3] = {9, 9, 9};
    size_t got = 0;
    CHECK_EQ(sptcp_get_data(b, out, 3, &got), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(got, 1);
    CHECK(out[0] == 3 && out[1] == 0 && out[2] == 0);
    CHECK_EQ(sptcp_buffer_get_position(b), 6);
    CHECK_EQ(sptcp_get_partial_data(b, out, 3, &got), SPTCP_OK);
    CHECK_EQ(got, 0);
    /* seek range: 0..size. */
    CHECK_EQ(sptcp_buffer_seek(b, 7), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_seek(b, -1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_get_position(b), 6);
    CHECK_EQ(sptcp_buffer_seek(b, 6), SPTCP_OK);
    /* resize keeps the cursor; available can go negative. */
    CHECK_EQ(sptcp_buffer_resize(b, 2), SPTCP_OK);
    CHECK_EQ(sptcp_buffer_get_position(b), 6);
    CHECK_EQ(sptcp_get_available_bytes(b), -4);
    CHECK_EQ(sptcp_buffer_resize(b, 5), SPTCP_OK);
    uint8_t all[8];
    memset(all, 0xAA, sizeof all);
    CHECK_EQ(sptcp_buffer_get_data_array(b, all, sizeof all), 5);
    CHECK(all[0] == 1 && all[1] == 2 && all[2] == 0 && all[4] == 0 && all[5] == 0xAA);
    CHECK_EQ(sptcp_buffer_get_data_array(b, NULL, 0), 5);
    memset(all, 0xAA, sizeof all);
    CHECK_EQ(sptcp_buffer_get_data_array(b, all, 2), 5);
    CHECK(all[1] == 2 && all[2] == 0xAA);
    CHECK_EQ(sptcp_buffer_resize(b, -1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_resize(b, INT64_MAX), SPTCP_ERR_OUT_OF_MEMORY);
    CHECK_EQ(sptcp_buffer_get_size(b), 5);
    /* duplicate: same bytes, cursor 0, big_endian not copied. */
    sptcp_set_big_endian(b, true);
    sptcp_peer *d = sptcp_buffer_duplicate(b);
    CHECK(d != NULL);
    CHECK_EQ(sptcp_buffer_get_position(d), 0);
    CHECK_EQ(sptcp_buffer_get_size(d), 5);
    CHECK(!sptcp_is_big_endian_enabled(d));
    sptcp_peer_free(d);
    /* set_data_array / clear. */
    CHECK_EQ(sptcp_buffer_set_data_array(b, abc, 3), SPTCP_OK);
    CHECK_EQ(sptcp_buffer_get_position(b), 0);
    CHECK_EQ(sptcp_buffer_get_size(b), 3);
    CHECK_EQ(sptcp_buffer_set_data_array(b, NULL, 3), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_set_data_array(b, NULL, 0), SPTCP_OK);
    CHECK_EQ(sptcp_buffer_get_size(b), 0);
    sptcp_put_data(b, abc, 3);
    CHECK_EQ(sptcp_buffer_clear(b), SPTCP_OK);
    CHECK_EQ(sptcp_buffer_get_size(b), 0);
    CHECK_EQ(sptcp_buffer_get_position(b), 0);
    /* TCP calls on a buffer: UNAVAILABLE or nothing values. */
    CHECK_EQ(sptcp_connect_to_host(b, "127.0.0.1", 1), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_poll(b), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_bind(b, 0, NULL), SPTCP_ERR_UNAVAILABLE);
    CHECK_EQ(sptcp_get_status(b), SPTCP_STATUS_NONE);
    CHECK_EQ(sptcp_get_local_port(b), 0);
    CHECK_EQ(sptcp_get_connect_timeout_ms(b), 0);
    sptcp_peer_free(b);
    /* Buffer calls on a TCP peer and on NULL. */
    sptcp_peer *t = sptcp_peer_new();
    CHECK_EQ(sptcp_buffer_get_position(t), -1);
    CHECK_EQ(sptcp_buffer_get_size(t), -1);
    CHECK_EQ(sptcp_buffer_seek(t, 0), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(strstr(sptcp_last_error_message(), "not a buffer") != NULL);
    CHECK_EQ(sptcp_buffer_resize(t, 1), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_clear(t), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_get_data_array(t, all, sizeof all), 0);
    CHECK_EQ(sptcp_buffer_set_data_array(t, abc, 3), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(sptcp_buffer_duplicate(t) == NULL);
    sptcp_peer_free(t);
    CHECK_EQ(sptcp_buffer_get_position(NULL), -1);
    CHECK_EQ(sptcp_buffer_get_size(NULL), -1);
    CHECK_EQ(sptcp_buffer_seek(NULL, 0), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_resize(NULL, 0), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_clear(NULL), SPTCP_ERR_INVALID_PARAMETER);
    CHECK_EQ(sptcp_buffer_get_data_array(NULL, NULL, 0), 0);
    CHECK_EQ(sptcp_buffer_set_data_array(NULL, NULL, 0), SPTCP_ERR_INVALID_PARAMETER);
    CHECK(sptcp_buffer_duplicate(NULL) == NULL);
}

/* The same values across a real socket: the wire bytes equal the buffer's
 * (Godot's vectors), and reading them back with get_* gives the values. */
static void over_tcp(void) {
    sptcp_server *s = sptcp_server_new();
    start_server(s, "127.0.0.1");
    sptcp_peer *c = NULL, *a = NULL;
    if (connect_pair(s, &c, &a) != 0) {
        CHECK(!"connect_pair");
        sptcp_server_free(s);
        return;
    }
    for (int be = 0; be < 2; be++) {
        sptcp_set_big_endian(c, be);
        sptcp_set_big_endian(a, be);
        sptcp_peer *ref = fresh(be);
#define BOTH(call_c, call_ref)                                                   \
    do {                                                                         \
        CHECK_EQ(call_c, SPTCP_OK);                                              \
        CHECK_EQ(call_ref, SPTCP_OK);                                            \
    } while (0)
        BOTH(sptcp_put_u16(c, 0x1234), sptcp_put_u16(ref, 0x1234));
        BOTH(sptcp_put_u32(c, 0x12345678u), sptcp_put_u32(ref, 0x12345678u));
        BOTH(sptcp_put_u64(c, 0xf123456789abcdefULL), sptcp_put_u64(ref, 0xf123456789abcdefULL));
        BOTH(sptcp_put_64(c, INT64_MIN), sptcp_put_64(ref, INT64_MIN));
        BOTH(sptcp_put_half(c, 0.33325195f), sptcp_put_half(ref, 0.33325195f));
        BOTH(sptcp_put_float(c, 0.15625f), sptcp_put_float(ref, 0.15625f));
        BOTH(sptcp_put_double(c, 0.33333333333333333), sptcp_put_double(ref, 0.33333333333333333));
        BOTH(sptcp_put_string(c, "Hello, World!"), sptcp_put_string(ref, "Hello, World!"));
        BOTH(sptcp_put_utf8_string(c, "Hello\xe2\x9c\xa9"), sptcp_put_utf8_string(ref, "Hello\xe2\x9c\xa9"));
#undef BOTH
        uint8_t want[128], wire[128];
        size_t n = sptcp_buffer_get_data_array(ref, want, sizeof want);
        size_t got = 0;
        CHECK_EQ(sptcp_get_data(a, wire, n, &got), SPTCP_OK);
        CHECK_EQ(got, n);
        CHECK(memcmp(wire, want, n) == 0);
        sptcp_peer_free(ref);

        /* And typed reads over TCP. */
        CHECK_EQ(sptcp_put_data(c, wire, n), SPTCP_OK);
        uint16_t u16; uint32_t u32; uint64_t u64; int64_t i64; float f; double d;
        CHECK(sptcp_get_u16(a, &u16) == SPTCP_OK && u16 == 0x1234);
        CHECK(sptcp_get_u32(a, &u32) == SPTCP_OK && u32 == 0x12345678u);
        CHECK(sptcp_get_u64(a, &u64) == SPTCP_OK && u64 == 0xf123456789abcdefULL);
        CHECK(sptcp_get_64(a, &i64) == SPTCP_OK && i64 == INT64_MIN);
        CHECK(sptcp_get_half(a, &f) == SPTCP_OK && f == 0.33325195f);
        CHECK(sptcp_get_float(a, &f) == SPTCP_OK && f == 0.15625f);
        CHECK(sptcp_get_double(a, &d) == SPTCP_OK && d == 0.33333333333333333);
        char *str = NULL;
        CHECK_EQ(sptcp_get_string(a, -1, &str, NULL), SPTCP_OK);
        CHECK_STR(str, "Hello, World!");
        sptcp_string_free(str);
        CHECK_EQ(sptcp_get_utf8_string(a, -1, &str, NULL), SPTCP_OK);
        CHECK_STR(str, "Hello\xe2\x9c\xa9");
        sptcp_string_free(str);
    }
    /* A 4 GiB-ish prefix over TCP: refused at once, nothing allocated, the
     * connection stays usable. */
    sptcp_set_big_endian(c, false);
    sptcp_set_big_endian(a, false);
    CHECK_EQ(sptcp_put_u32(c, 0x7ffffff0u), SPTCP_OK);
    char *str = (char *)"x";
    CHECK_EQ(sptcp_get_utf8_string(a, -1, &str, NULL), SPTCP_ERR_INVALID_DATA);
    CHECK(str == NULL);
    CHECK_EQ(sptcp_get_status(a), SPTCP_STATUS_CONNECTED);
    /* A string longer than what arrives before the close: EOF, NULL. */
    CHECK_EQ(sptcp_put_u32(c, 10), SPTCP_OK);
    CHECK_EQ(sptcp_put_data(c, (const uint8_t *)"abc", 3), SPTCP_OK);
    sptcp_disconnect_from_host(c);
    size_t len = 5;
    CHECK_EQ(sptcp_get_string(a, -1, &str, &len), SPTCP_ERR_FILE_EOF);
    CHECK(str == NULL && len == 0);
    /* Reads on the closed peer: FAILED, zeroed. */
    uint32_t u32 = 7;
    CHECK_EQ(sptcp_get_u32(a, &u32), SPTCP_FAILED);
    CHECK_EQ(u32, 0);
    CHECK_EQ(sptcp_put_u32(a, 1), SPTCP_FAILED);
    sptcp_peer_free(a);
    sptcp_peer_free(c);
    sptcp_server_free(s);
}

int main(void) {
    reference_vectors();
    round_trips();
    half_decoding();
    string_decoding();
    bad_lengths();
    null_handles();
    buffer_calls();
    over_tcp();
    return check_summary("test_typed");
}
