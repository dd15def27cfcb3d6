// Tests of include/streampeer_tcp.hpp, the C++ wrapper: RAII and moves,
// TCP and Unix domain pairs over loopback, typed values, strings,
// Variants (containers, math types, objects, both wire formats), buffers
// and poll groups. Built with -fno-exceptions -fno-rtti by c-tests/cxx/run.sh.
// Every wait is bounded; ports are ephemeral.
#include "streampeer_tcp.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

using namespace sptcp;

// --- a tiny harness, like c-tests/check.h -----------------------------------

static int checks_passed;
static int checks_failed;

template <class T> static std::string show(const T &v) {
    if constexpr (std::is_same_v<T, Error>) {
        return error_name(v);
    } else if constexpr (std::is_enum_v<T>) {
        return std::to_string(static_cast<long long>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
        char b[64];
        std::snprintf(b, sizeof b, "%.17g", static_cast<double>(v));
        return b;
    } else if constexpr (std::is_integral_v<T>) {
        return std::to_string(v);
    } else {
        return "\"" + std::string(v) + "\"";
    }
}

// a == b without sign-compare surprises.
template <class A, class B> static bool same(const A &a, const B &b) {
    if constexpr (std::is_integral_v<A> && std::is_integral_v<B> && std::is_signed_v<A> != std::is_signed_v<B>) {
        if constexpr (std::is_signed_v<A>) {
            return a >= 0 && static_cast<std::make_unsigned_t<A>>(a) == b;
        } else {
            return b >= 0 && a == static_cast<std::make_unsigned_t<B>>(b);
        }
    } else {
        return a == b;
    }
}

static void record(bool ok, const char *file, int line, const char *what, const std::string &detail) {
    if (ok) {
        checks_passed++;
        return;
    }
    checks_failed++;
    std::fprintf(stderr, "%s:%d: CHECK failed: %s%s\n    last error: %s\n", file, line, what, detail.c_str(),
                 sptcp_last_error_message());
}

template <class A, class B> static bool check_eq(const A &a, const B &b, const char *file, int line, const char *what) {
    bool ok = same(a, b);
    record(ok, file, line, what, ok ? "" : " (got " + show(a) + ", want " + show(b) + ")");
    return ok;
}

#define CHECK(cond) record(static_cast<bool>(cond), __FILE__, __LINE__, #cond, "")
#define CHECK_EQ(actual, expected) check_eq((actual), (expected), __FILE__, __LINE__, #actual " == " #expected)
#define FAIL(what) record(false, __FILE__, __LINE__, what, "")
#define CHECK_OK(expr) CHECK_EQ((expr), Error::OK)

static long long now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Polls until the status is `want` or `timeout_ms` passes; the last status seen.
static Status poll_until(Peer &peer, Status want, int timeout_ms) {
    long long end = now_ms() + timeout_ms;
    while (peer.get_status() != want && now_ms() < end) {
        (void)peer.poll();
        if (peer.get_status() != want) {
            (void)peer.wait(EVENT_READABLE | EVENT_WRITABLE, 10);
        }
    }
    return peer.get_status();
}

// A server, a connected client and the peer the server took.
struct Pair {
    Server server;
    Peer client;
    Peer accepted;
};

static bool tcp_pair(Pair &p) {
    p.server = Server::tcp();
    if (p.server.listen(0, "127.0.0.1") != Error::OK) {
        return false;
    }
    p.client = Peer::tcp();
    if (p.client.connect_to_host("127.0.0.1", p.server.get_local_port()) != Error::OK) {
        return false;
    }
    if (p.server.wait(5000) != Error::OK) {
        return false;
    }
    p.accepted = p.server.take_connection();
    return p.accepted && poll_until(p.client, Status::CONNECTED, 5000) == Status::CONNECTED;
}

// --- the tests ----------------------------------------------------------------

static void test_enums_and_version() {
    static_assert(static_cast<int32_t>(Error::ERR_PRINTER_ON_FIRE) == 48, "Error numbers are Godot's");
    static_assert(static_cast<int32_t>(Error::ERR_CANT_CONNECT) == 25, "Error numbers are Godot's");
    static_assert(static_cast<int32_t>(Status::ERROR) == 3, "Status numbers");
    static_assert(static_cast<int32_t>(VariantType::PACKED_VECTOR4_ARRAY) == 38, "VariantType numbers");
    static_assert(EVENT_ACCEPTABLE == 16u, "event bits");
    CHECK_EQ(std::string(error_name(Error::ERR_CANT_CONNECT)), "ERR_CANT_CONNECT");
    CHECK_EQ(std::string(error_name(Error::OK)), "OK");
    CHECK_EQ(std::string(error_string(Error::ERR_CANT_CONNECT)), "Can't connect");
    CHECK_EQ(std::string(error_name(static_cast<Error>(99))), "UNKNOWN_ERROR");
    std::string want = std::to_string(SPTCP_VERSION_MAJOR) + "." + std::to_string(SPTCP_VERSION_MINOR) + "." +
                       std::to_string(SPTCP_VERSION_PATCH);
    CHECK_EQ(std::string(version()), want);
}

static void test_traits() {
    static_assert(std::is_nothrow_move_constructible_v<Peer> && std::is_nothrow_move_assignable_v<Peer>, "Peer");
    static_assert(std::is_nothrow_move_constructible_v<Server> && std::is_nothrow_move_assignable_v<Server>, "Server");
    static_assert(std::is_nothrow_move_constructible_v<Variant> && std::is_nothrow_move_assignable_v<Variant>, "Variant");
    static_assert(std::is_nothrow_move_constructible_v<Group> && std::is_nothrow_move_assignable_v<Group>, "Group");
    static_assert(!std::is_copy_constructible_v<Peer> && !std::is_copy_assignable_v<Peer>, "Peer is move-only");
    static_assert(!std::is_copy_constructible_v<Server> && !std::is_copy_assignable_v<Server>, "Server");
    static_assert(!std::is_copy_constructible_v<Variant> && !std::is_copy_assignable_v<Variant>, "Variant");
    static_assert(!std::is_copy_constructible_v<Group> && !std::is_copy_assignable_v<Group>, "Group");
    static_assert(std::is_copy_constructible_v<VariantRef>, "VariantRef is a copyable view");
    // No way to overwrite an owned Variant through its read-only base.
    static_assert(!std::is_assignable_v<detail::VariantAccess &, const detail::VariantAccess &>, "protected");
    // A pointer is not a bool: only real bools make a BOOL.
    static_assert(!std::is_constructible_v<Variant, int *>, "no pointer -> bool");
    static_assert(std::is_convertible_v<const Variant &, VariantRef>, "Variant -> VariantRef");
    CHECK(true);
}

static void test_empty_objects() {
    Peer p;
    CHECK(!p);
    CHECK(p.get() == nullptr);
    CHECK_EQ(p.poll(), Error::ERR_INVALID_PARAMETER);
    CHECK_EQ(p.get_status(), Status::NONE);
    CHECK_EQ(p.get_available_bytes(), -1);
    CHECK_EQ(p.get_connected_host(), "");
    CHECK_EQ(p.get_connected_port(), 0);
    CHECK_EQ(p.put_u32(1), Error::ERR_INVALID_PARAMETER);
    uint32_t u = 7;
    CHECK_EQ(p.get_u32(u), Error::ERR_INVALID_PARAMETER);
    CHECK_EQ(u, 0u);
    std::string s = "junk";
    CHECK_EQ(p.get_utf8_string(s), Error::ERR_INVALID_PARAMETER);
    CHECK_EQ(s, "");
    CHECK_EQ(p.uds_get_connected_path(), "");
    CHECK(p.buffer_get_data_array().empty());
    Variant v = Variant(5);
    CHECK_EQ(p.get_var(v), Error::ERR_INVALID_PARAMETER);
    CHECK(!v);
    CHECK(!p.buffer_duplicate());
    p.disconnect_from_host();
    p.reset();

    Server srv;
    CHECK(!srv);
    CHECK(!srv.take_connection());
    CHECK_EQ(srv.listen(0), Error::ERR_INVALID_PARAMETER);
    CHECK(!srv.is_listening());
    CHECK_EQ(srv.get_socket(), -1);

    Variant e;
    CHECK(!e);
    CHECK_EQ(e.get_type(), VariantType::NIL);
    CHECK_EQ(e.size(), 0u);
    CHECK(!e.duplicate());
    CHECK_EQ(e.array_push(1), Error::ERR_INVALID_PARAMETER);

    Group g;
    CHECK(!g);
    CHECK_EQ(g.size(), 0u);
    Event ev[2];
    size_t n = 5;
    CHECK_EQ(g.wait(0, ev, n), Error::ERR_INVALID_PARAMETER);
}

static void test_moves() {
    Peer a = Peer::tcp();
    sptcp_peer *raw = a.get();
    CHECK(a && raw != nullptr);
    Peer b = std::move(a);
    CHECK(!a);
    CHECK(a.get() == nullptr);
    CHECK(b.get() == raw);
    Peer c = Peer::buffer();
    c = std::move(b); // frees the buffer (valgrind would see a leak otherwise)
    CHECK(!b);
    CHECK(c.get() == raw);
    Peer &alias = c;
    c = std::move(alias); // self-move keeps the peer
    CHECK(c.get() == raw);
    sptcp_peer *released = c.release();
    CHECK(!c && released == raw);
    sptcp_peer_free(released);
    a.reset(); // resetting an empty Peer is fine

    std::vector<Peer> peers;
    for (int i = 0; i < 20; i++) {
        peers.push_back(Peer::buffer()); // growth moves them
    }
    CHECK_EQ(peers.size(), 20u);
    CHECK_OK(peers[0].put_u8(1));
    CHECK_EQ(peers[0].buffer_get_size(), 1);

    Server s1 = Server::tcp();
    sptcp_server *sraw = s1.get();
    Server s2 = std::move(s1);
    CHECK(!s1 && s2.get() == sraw);
    s1 = Server::uds();
    s1 = std::move(s2);
    CHECK(!s2 && s1.get() == sraw);

    Variant v1 = 42;
    Variant v2 = std::move(v1);
    CHECK(!v1);
    int64_t i = 0;
    CHECK_OK(v2.get_int(i));
    CHECK_EQ(i, 42);
    v1 = Variant("replaced");
    v1 = std::move(v2); // frees "replaced"
    CHECK_OK(v1.get_int(i));
    Variant arr = Variant::array();
    CHECK_OK(arr.array_push(std::move(v1))); // the array takes it
    CHECK(!v1);
    sptcp_variant *vr = arr.release();
    CHECK(!arr);
    sptcp_variant_free(vr);

    Group g1 = Group::create();
    Group g2 = std::move(g1);
    CHECK(!g1 && g2);
    g1 = Group::create();
    g1 = std::move(g2);
    CHECK(g1 && !g2);
}

static void test_tcp() {
    Pair p;
    p.server = Server::tcp();
    CHECK(p.server);
    CHECK_OK(p.server.listen(0, "127.0.0.1"));
    CHECK(p.server.is_listening());
    CHECK_EQ(p.server.listen(0, "127.0.0.1"), Error::ERR_ALREADY_IN_USE);
    int32_t port = p.server.get_local_port();
    CHECK(port > 0);
    CHECK(p.server.get_socket() >= 0);

    // Nothing to take yet: an empty Peer, at once.
    CHECK(!p.server.is_connection_available());
    CHECK_EQ(p.server.wait(0), Error::ERR_TIMEOUT);
    Peer none = p.server.take_connection();
    CHECK(!none);

    p.client = Peer::tcp();
    p.client.set_connect_timeout_ms(5000);
    CHECK_EQ(p.client.get_connect_timeout_ms(), 5000u);
    CHECK_OK(p.client.connect_to_host("127.0.0.1", port));
    CHECK_OK(p.server.wait(5000));
    p.accepted = p.server.take_connection();
    CHECK(p.accepted);
    CHECK_EQ(p.accepted.get_status(), Status::CONNECTED);
    if (poll_until(p.client, Status::CONNECTED, 5000) != Status::CONNECTED || !p.accepted) {
        FAIL("the TCP pair did not connect");
        return;
    }
    CHECK_EQ(p.client.get_connected_host(), "127.0.0.1");
    CHECK_EQ(p.client.get_connected_port(), port);
    CHECK_EQ(p.accepted.get_local_port(), port);
    CHECK_EQ(p.accepted.get_connected_port(), p.client.get_local_port());
    CHECK(p.client.get_socket() >= 0);
    p.client.set_no_delay(true);

    // Bytes both ways.
    CHECK_OK(p.client.put_data("hello", 5));
    char buf[16] = {0};
    size_t got = 0;
    CHECK_OK(p.accepted.get_data(buf, 5, &got));
    CHECK_EQ(got, 5u);
    CHECK_EQ(std::string(buf, got), "hello");
    size_t sent = 0;
    CHECK_OK(p.accepted.put_partial_data("pong", 4, &sent));
    CHECK_EQ(sent, 4u);
    uint32_t ready = 0;
    CHECK_OK(p.client.wait(EVENT_READABLE, 5000, &ready));
    CHECK(ready & EVENT_READABLE);
    got = 0;
    CHECK_OK(p.client.get_partial_data(buf, sizeof buf, &got));
    CHECK_EQ(std::string(buf, got), "pong");
    CHECK_OK(p.client.get_partial_data(buf, sizeof buf, &got)); // nothing there: OK, 0
    CHECK_EQ(got, 0u);
    CHECK_OK(p.client.wait(EVENT_WRITABLE, 1000, &ready));
    CHECK(ready & EVENT_WRITABLE);

    // Counters, keepalive, I/O timeout (§8).
    CHECK_EQ(p.client.get_bytes_sent(), 5u);
    CHECK_EQ(p.client.get_bytes_received(), 4u);
    CHECK_OK(p.client.set_keepalive(true, 30, 5, 3));
    CHECK_OK(p.client.set_keepalive(false));
    p.accepted.set_io_timeout_ms(50);
    CHECK_EQ(p.accepted.get_io_timeout_ms(), 50u);
    long long t0 = now_ms();
    uint32_t u = 1;
    CHECK_EQ(p.accepted.get_u32(u), Error::ERR_TIMEOUT);
    CHECK(now_ms() - t0 < 3000);
    CHECK_EQ(p.accepted.get_status(), Status::CONNECTED);
    p.accepted.set_io_timeout_ms(0);
    p.client.set_async_connect(true);
    CHECK(p.client.is_async_connect_enabled());
    p.client.set_async_connect(false);
    p.client.set_happy_eyeballs_delay_ms(100);
    CHECK_EQ(p.client.get_happy_eyeballs_delay_ms(), 100u);

    // Half-close: the far side sees the end with the request still unread
    // (so its status stays CONNECTED), reads it and answers.
    CHECK_OK(p.client.put_utf8_string("request"));
    CHECK_OK(p.client.shutdown_write());
    CHECK_EQ(p.client.put_u8(1), Error::ERR_UNAVAILABLE);
    long long end = now_ms() + 5000;
    while (!p.accepted.is_peer_closed() && now_ms() < end) {
        (void)p.accepted.wait(EVENT_READABLE, 10);
        (void)p.accepted.poll();
    }
    CHECK(p.accepted.is_peer_closed());
    std::string s;
    CHECK_OK(p.accepted.get_utf8_string(s));
    CHECK_EQ(s, "request");
    CHECK_OK(p.accepted.put_utf8_string("answer"));
    CHECK_OK(p.client.get_utf8_string(s));
    CHECK_EQ(s, "answer");

    p.client.disconnect_from_host();
    CHECK_EQ(p.client.get_status(), Status::NONE);
    CHECK_EQ(p.client.get_connected_host(), "");

    // A refused connect ends in ERROR, with the reason in last_error_message.
    Server gone = Server::tcp();
    CHECK_OK(gone.listen(0, "127.0.0.1"));
    int32_t closed_port = gone.get_local_port();
    gone.stop();
    CHECK(!gone.is_listening());
    Peer refused = Peer::tcp();
    CHECK_OK(refused.connect_to_host("127.0.0.1", closed_port));
    CHECK_EQ(poll_until(refused, Status::ERROR, 5000), Status::ERROR);
    CHECK(!last_error_message().empty());
    CHECK_EQ(Peer::tcp().connect_to_host("127.0.0.1", 70000), Error::ERR_INVALID_PARAMETER);

    // bind, and the default "*" for listen.
    Peer bound = Peer::tcp();
    CHECK_OK(bound.bind(0, "127.0.0.1"));
    CHECK(bound.get_local_port() > 0);
    CHECK_EQ(bound.bind(0), Error::ERR_ALREADY_IN_USE);
    Server any = Server::tcp();
    CHECK_OK(any.listen(0));
    CHECK(any.get_local_port() > 0);
}

static void test_typed_on(Peer &out, Peer &in) {
    CHECK_OK(out.put_8(-5));
    CHECK_OK(out.put_u8(250));
    CHECK_OK(out.put_16(-30000));
    CHECK_OK(out.put_u16(60000));
    CHECK_OK(out.put_32(-2000000000));
    CHECK_OK(out.put_u32(4000000000u));
    CHECK_OK(out.put_64(INT64_MIN));
    CHECK_OK(out.put_u64(UINT64_MAX));
    CHECK_OK(out.put_half(1.5f));
    CHECK_OK(out.put_float(3.25f));
    CHECK_OK(out.put_double(M_PI));
    int8_t i8 = 0;
    uint8_t u8 = 0;
    int16_t i16 = 0;
    uint16_t u16 = 0;
    int32_t i32 = 0;
    uint32_t u32 = 0;
    int64_t i64 = 0;
    uint64_t u64 = 0;
    float h = 0, f = 0;
    double d = 0;
    CHECK_OK(in.get_8(i8));
    CHECK_EQ(i8, -5);
    CHECK_OK(in.get_u8(u8));
    CHECK_EQ(u8, 250);
    CHECK_OK(in.get_16(i16));
    CHECK_EQ(i16, -30000);
    CHECK_OK(in.get_u16(u16));
    CHECK_EQ(u16, 60000);
    CHECK_OK(in.get_32(i32));
    CHECK_EQ(i32, -2000000000);
    CHECK_OK(in.get_u32(u32));
    CHECK_EQ(u32, 4000000000u);
    CHECK_OK(in.get_64(i64));
    CHECK_EQ(i64, INT64_MIN);
    CHECK_OK(in.get_u64(u64));
    CHECK_EQ(u64, UINT64_MAX);
    CHECK_OK(in.get_half(h));
    CHECK_EQ(h, 1.5f);
    CHECK_OK(in.get_float(f));
    CHECK_EQ(f, 3.25f);
    CHECK_OK(in.get_double(d));
    CHECK_EQ(d, M_PI);
}

static void test_typed_and_strings() {
    Pair p;
    if (!tcp_pair(p)) {
        FAIL("tcp pair");
        return;
    }
    test_typed_on(p.client, p.accepted);
    // Big endian on both sides: the same values; on one side only: swapped.
    p.client.set_big_endian(true);
    p.accepted.set_big_endian(true);
    CHECK(p.client.is_big_endian_enabled());
    test_typed_on(p.client, p.accepted);
    p.accepted.set_big_endian(false);
    CHECK_OK(p.client.put_u32(0x01020304u));
    uint32_t u = 0;
    CHECK_OK(p.accepted.get_u32(u));
    CHECK_EQ(u, 0x04030201u);
    p.client.set_big_endian(false);

    std::string s;
    CHECK_OK(p.client.put_string("hello"));
    CHECK_OK(p.accepted.get_string(s));
    CHECK_EQ(s, "hello");
    const std::string utf8 = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93"; // héllo wörld ✓
    CHECK_OK(p.client.put_utf8_string(utf8));
    CHECK_OK(p.accepted.get_utf8_string(s));
    CHECK_EQ(s, utf8);
    CHECK_OK(p.client.put_utf8_string(std::string_view("view-only, no NUL here", 9)));
    CHECK_OK(p.accepted.get_utf8_string(s));
    CHECK_EQ(s, "view-only");
    CHECK_OK(p.client.put_data("abcdef", 6)); // no prefix: read by count
    CHECK_OK(p.accepted.get_utf8_string(s, 6));
    CHECK_EQ(s, "abcdef");
    CHECK_OK(p.client.put_data("xyz", 3));
    CHECK_OK(p.accepted.get_string(s, 3));
    CHECK_EQ(s, "xyz");
    CHECK_OK(p.client.put_string(""));
    CHECK_OK(p.accepted.get_string(s));
    CHECK_EQ(s, "");
    CHECK_EQ(p.accepted.get_available_bytes(), 0);
}

static void test_buffer() {
    Peer b = Peer::buffer();
    CHECK(b);
    CHECK_OK(b.put_u32(7));
    CHECK_OK(b.put_utf8_string("x"));
    CHECK_OK(b.put_var(Variant(5)));
    int64_t size = b.buffer_get_size();
    CHECK(size > 9);
    CHECK_EQ(b.buffer_get_position(), size);
    CHECK_EQ(b.get_available_bytes(), 0);
    std::vector<uint8_t> bytes = b.buffer_get_data_array();
    CHECK_EQ(static_cast<int64_t>(bytes.size()), size);
    CHECK_EQ(bytes[0], 7); // little-endian u32
    uint8_t two[2] = {0, 0};
    CHECK_EQ(b.buffer_get_data_array(two, 2), static_cast<size_t>(size));

    Peer copy = b.buffer_duplicate();
    CHECK(copy);
    CHECK_EQ(copy.buffer_get_position(), 0);
    CHECK_EQ(copy.buffer_get_size(), size);

    CHECK_OK(b.buffer_seek(0));
    uint32_t u = 0;
    std::string s;
    Variant v;
    CHECK_OK(b.get_u32(u));
    CHECK_EQ(u, 7u);
    CHECK_OK(b.get_utf8_string(s));
    CHECK_EQ(s, "x");
    CHECK_OK(b.get_var(v));
    int64_t i = 0;
    CHECK_OK(v.get_int(i));
    CHECK_EQ(i, 5);
    CHECK_OK(copy.get_u32(u)); // the copy reads the same, from 0
    CHECK_EQ(u, 7u);
    CHECK_EQ(b.get_u8(two[0]), Error::ERR_INVALID_PARAMETER); // past the end, as Godot

    CHECK_OK(b.buffer_resize(2));
    CHECK_EQ(b.buffer_get_size(), 2);
    CHECK_OK(b.buffer_clear());
    CHECK_EQ(b.buffer_get_size(), 0);
    CHECK_EQ(b.buffer_get_position(), 0);
    const uint8_t data[4] = {1, 2, 3, 4};
    CHECK_OK(b.buffer_set_data_array(data, 4));
    CHECK_EQ(b.buffer_get_position(), 0);
    uint16_t u16 = 0;
    CHECK_OK(b.get_u16(u16));
    CHECK_EQ(u16, 0x0201);
    CHECK_EQ(b.buffer_seek(99), Error::ERR_INVALID_PARAMETER);

    // Length prefixes over the limit are refused before any allocation.
    Peer lim = Peer::buffer();
    lim.set_max_message_size(8);
    CHECK_EQ(lim.get_max_message_size(), 8u);
    CHECK_OK(lim.put_utf8_string("twenty bytes of text"));
    CHECK_OK(lim.buffer_seek(0));
    s = "junk";
    CHECK_EQ(lim.get_utf8_string(s), Error::ERR_INVALID_DATA);
    CHECK_EQ(s, "");

    // A buffer never waits; TCP-only calls on it, buffer calls on TCP.
    uint32_t ready = 0;
    CHECK_OK(b.wait(EVENT_WRITABLE, 0, &ready));
    CHECK(ready & EVENT_WRITABLE);
    CHECK_EQ(b.connect_to_host("127.0.0.1", 1), Error::ERR_UNAVAILABLE);
    CHECK_EQ(b.get_status(), Status::NONE);
    Peer tcp = Peer::tcp();
    CHECK_EQ(tcp.buffer_seek(0), Error::ERR_INVALID_PARAMETER);
    CHECK(!tcp.buffer_duplicate());
}

// Sends `v` from one peer to the other and checks the copy is equal.
static Variant round_trip(Pair &p, VariantRef v, const char *what) {
    Variant back;
    Error put = p.client.put_var(v);
    Error got = p.accepted.get_var(back);
    bool ok = put == Error::OK && got == Error::OK && back && back.equal(v) && back.get_type() == v.get_type();
    record(ok, __FILE__, __LINE__, what, ok ? "" : " (put " + show(put) + ", get " + show(got) + ")");
    return back;
}

static void test_variants() {
    Pair p;
    if (!tcp_pair(p)) {
        FAIL("tcp pair");
        return;
    }
    // Scalars and strings, by the implicit constructors.
    CHECK_EQ(round_trip(p, Variant(true), "bool").get_type(), VariantType::BOOL);
    Variant i = round_trip(p, Variant(42), "int");
    int64_t iv = 0;
    CHECK_OK(i.get_int(iv));
    CHECK_EQ(iv, 42);
    Variant big = round_trip(p, Variant(int64_t(1) << 40), "int64");
    CHECK_OK(big.get_int(iv));
    CHECK_EQ(iv, int64_t(1) << 40);
    round_trip(p, Variant(uint8_t(200)), "uint8_t -> INT");
    Variant f = round_trip(p, Variant(2.5), "float");
    double dv = 0;
    CHECK_OK(f.get_float(dv));
    CHECK_EQ(dv, 2.5);
    CHECK_EQ(f.get_int(iv), Error::ERR_INVALID_PARAMETER); // no conversions
    CHECK_EQ(iv, 0);
    CHECK_EQ(Variant(2.5f).get_type(), VariantType::FLOAT);
    std::string sv;
    CHECK_OK(round_trip(p, Variant("text"), "const char *").get_string(sv));
    CHECK_EQ(sv, "text");
    CHECK_OK(round_trip(p, Variant(std::string("std::string")), "std::string").get_string(sv));
    CHECK_EQ(sv, "std::string");
    CHECK_OK(round_trip(p, Variant(std::string_view("view and more", 4)), "string_view").get_string(sv));
    CHECK_EQ(sv, "view");
    CHECK(!Variant("\xff\xfe")); // invalid UTF-8: no value
    CHECK_EQ(round_trip(p, Variant::nil(), "nil").get_type(), VariantType::NIL);
    CHECK_OK(round_trip(p, Variant::string_name("hp"), "string_name").get_string(sv));
    CHECK_EQ(sv, "hp");
    CHECK_OK(round_trip(p, Variant::node_path("/root/Player:position:x"), "node_path").get_string(sv));
    CHECK_EQ(sv, "/root/Player:position:x");
    uint64_t id = 0;
    CHECK_OK(round_trip(p, Variant::rid(77), "rid").get_id(id));
    CHECK_EQ(id, 77u);
    CHECK_OK(round_trip(p, Variant::object_id(1234), "object id").get_id(id));
    CHECK_EQ(id, 1234u);
    Variant sig = round_trip(p, Variant::signal("pressed", 99), "signal");
    CHECK_OK(sig.get_string(sv));
    CHECK_EQ(sv, "pressed");
    CHECK_OK(sig.get_id(id));
    CHECK_EQ(id, 99u);
    Variant call = Variant::callable();
    CHECK_OK(p.client.put_var(call));
    Variant call_back;
    CHECK_OK(p.accepted.get_var(call_back));
    CHECK_EQ(call_back.get_type(), VariantType::CALLABLE);

    // Every math type, with values exact in single precision (the wire's).
    Variant v2 = round_trip(p, Variant(Vector2{1.5, -2}), "Vector2");
    Vector2 o2;
    CHECK_OK(v2.get_math(o2));
    CHECK(o2.x == 1.5 && o2.y == -2);
    Vector3 wrong{9, 9, 9};
    CHECK_EQ(v2.get_math(wrong), Error::ERR_INVALID_PARAMETER);
    CHECK(wrong.x == 0 && wrong.z == 0);
    Variant v2i = round_trip(p, Variant(Vector2i{3, -4}), "Vector2i");
    Vector2i o2i;
    CHECK_OK(v2i.get_math(o2i));
    CHECK(o2i.x == 3 && o2i.y == -4);
    Vector2 not_i;
    CHECK_EQ(v2i.get_math(not_i), Error::ERR_INVALID_PARAMETER); // same count, other type
    round_trip(p, Variant(Rect2{{1, 2}, {3, 4}}), "Rect2");
    Rect2i r2i;
    CHECK_OK(round_trip(p, Variant(Rect2i{{-1, 2}, {30, 40}}), "Rect2i").get_math(r2i));
    CHECK(r2i.position.x == -1 && r2i.size.y == 40);
    round_trip(p, Variant(Vector3{1, 2, 3}), "Vector3");
    round_trip(p, Variant(Vector3i{-1, 0, 1}), "Vector3i");
    Transform2D t2{{1, 0}, {0, 1}, {5.5, -6}};
    Transform2D t2o{{0, 0}, {0, 0}, {0, 0}};
    CHECK_OK(round_trip(p, Variant(t2), "Transform2D").get_math(t2o));
    CHECK(t2o.origin.x == 5.5 && t2o.origin.y == -6 && t2o.x.x == 1 && t2o.y.y == 1);
    round_trip(p, Variant(Vector4{1, 2, 3, 4}), "Vector4");
    round_trip(p, Variant(Vector4i{1, -2, 3, -4}), "Vector4i");
    Plane pl;
    CHECK_OK(round_trip(p, Variant(Plane{{0, 1, 0}, 2.5}), "Plane").get_math(pl));
    CHECK(pl.normal.y == 1 && pl.d == 2.5);
    Quaternion q{1, 2, 3, 4};
    CHECK_OK(round_trip(p, Variant(Quaternion{0.5, 0, 0, 0.5}), "Quaternion").get_math(q));
    CHECK(q.x == 0.5 && q.y == 0 && q.w == 0.5);
    round_trip(p, Variant(AABB{{1, 2, 3}, {4, 5, 6}}), "AABB");
    Basis basis;
    basis.rows[0] = {0, -1, 0};
    basis.rows[1] = {1, 0, 0};
    Basis bo{};
    CHECK_OK(round_trip(p, Variant(basis), "Basis").get_math(bo));
    CHECK(bo.rows[0].y == -1 && bo.rows[1].x == 1 && bo.rows[2].z == 1);
    Transform3D t3;
    t3.origin = {7, 8, 9};
    Transform3D t3o;
    CHECK_OK(round_trip(p, Variant(t3), "Transform3D").get_math(t3o));
    CHECK(t3o.origin.z == 9 && t3o.basis.rows[1].y == 1);
    Projection proj;
    proj.columns[3] = {1, 2, 3, 1};
    Projection projo{};
    CHECK_OK(round_trip(p, Variant(proj), "Projection").get_math(projo));
    CHECK(projo.columns[3].y == 2 && projo.columns[0].x == 1);
    Color c;
    CHECK_OK(round_trip(p, Variant(Color{1, 0.5, 0.25, 1}), "Color").get_math(c));
    CHECK(c.r == 1 && c.g == 0.5 && c.b == 0.25 && c.a == 1);
    double comps[16] = {0};
    size_t n = 0;
    CHECK_EQ(Variant(Color{}).get_math(comps, 2, &n), Error::ERR_PARAMETER_RANGE_ERROR);
    CHECK_EQ(n, 4u);
    const double three[3] = {1, 2, 3};
    CHECK(!Variant::math(VariantType::VECTOR2, three, 3)); // wrong count
    CHECK(Variant::math(VariantType::VECTOR3, three, 3));
    CHECK(Variant(Vector2i{}));

    // Packed arrays.
    const uint8_t raw[3] = {1, 2, 255};
    const int32_t i32s[3] = {-1, 0, 1 << 30};
    const int64_t i64s[2] = {INT64_MIN, INT64_MAX};
    const float f32s[2] = {0.5f, -1.25f};
    const double f64s[2] = {M_PI, -M_E};
    const float vec2s[2][2] = {{1, 2}, {3, 4}};
    std::vector<uint8_t> got8;
    CHECK_OK(round_trip(p, Variant::packed(raw, 3), "PackedByteArray").get_packed(got8));
    CHECK(got8 == std::vector<uint8_t>(raw, raw + 3));
    std::vector<int32_t> got32;
    CHECK_OK(round_trip(p, Variant::packed(i32s, 3), "PackedInt32Array").get_packed(got32));
    CHECK(got32 == std::vector<int32_t>(i32s, i32s + 3));
    std::vector<int64_t> got64;
    CHECK_OK(round_trip(p, Variant::packed(i64s, 2), "PackedInt64Array").get_packed(got64));
    CHECK(got64 == std::vector<int64_t>(i64s, i64s + 2));
    CHECK_EQ(Variant::packed(i64s, 2).get_packed(got32), Error::ERR_INVALID_PARAMETER); // wrong element type
    CHECK(got32.empty());
    std::vector<float> gotf;
    CHECK_OK(round_trip(p, Variant::packed(f32s, 2), "PackedFloat32Array").get_packed(gotf));
    CHECK(gotf == std::vector<float>(f32s, f32s + 2));
    std::vector<double> gotd;
    CHECK_OK(round_trip(p, Variant::packed(f64s, 2), "PackedFloat64Array").get_packed(gotd));
    CHECK(gotd == std::vector<double>(f64s, f64s + 2));
    Variant pv2 = round_trip(p, Variant::packed(VariantType::PACKED_VECTOR2_ARRAY, vec2s, 2), "PackedVector2Array");
    const void *data = nullptr;
    size_t count = 0;
    CHECK_OK(pv2.get_packed(data, count));
    CHECK_EQ(count, 2u);
    CHECK(data && static_cast<const float *>(data)[3] == 4);
    CHECK_EQ(pv2.size(), 2u);
    Variant strs = round_trip(p, Variant::packed_string_array({"a", "bb", ""}), "PackedStringArray");
    CHECK_EQ(strs.size(), 3u);
    CHECK_OK(strs.get_packed_string(1, sv));
    CHECK_EQ(sv, "bb");
    CHECK_EQ(strs.get_packed_string(3, sv), Error::ERR_INVALID_PARAMETER);
    CHECK_EQ(sv, "");
    round_trip(p, Variant::packed_string_array(nullptr, 0), "empty PackedStringArray");

    // Containers: an array with a nested array and a dictionary.
    Variant arr = Variant::array();
    CHECK_OK(arr.array_push(1));
    CHECK_OK(arr.array_push("two"));
    CHECK_OK(arr.array_push(Vector3{1, 2, 3}));
    Variant inner = Variant::array();
    CHECK_OK(inner.array_push(true));
    CHECK_OK(inner.array_push(Variant::nil()));
    CHECK_OK(arr.array_push(std::move(inner)));
    Variant dict = Variant::dictionary();
    CHECK_OK(dict.dict_set("hp", 42));
    CHECK_OK(dict.dict_set(Variant::string_name("name"), "Godot"));
    CHECK_OK(dict.dict_set(7, Vector2{0.5, 0.25}));
    CHECK_OK(dict.dict_set("hp", 43)); // an existing key keeps its place
    CHECK_EQ(dict.size(), 3u);
    CHECK_OK(arr.array_push(std::move(dict)));
    CHECK_EQ(arr.array_push(Variant()), Error::ERR_INVALID_PARAMETER); // an empty value is no item
    Variant arr_back = round_trip(p, arr, "nested Array");
    CHECK_EQ(arr_back.size(), 5u);
    CHECK_OK(arr_back.array_get(1).get_string(sv));
    CHECK_EQ(sv, "two");
    CHECK_EQ(arr_back.array_get(3).size(), 2u);
    CHECK(!arr_back.array_get(5)); // out of range: an empty view
    VariantRef d = arr_back.array_get(4);
    CHECK_EQ(d.get_type(), VariantType::DICTIONARY);
    CHECK_OK(d.dict_get(Variant("hp")).get_int(iv));
    CHECK_EQ(iv, 43);
    CHECK(!d.dict_get(Variant("missing")));
    CHECK(!d.dict_get(Variant(7.0))); // 7 and 7.0 are different keys
    VariantRef key, value;
    CHECK_OK(d.dict_entry(1, key, value));
    CHECK_EQ(key.get_type(), VariantType::STRING_NAME);
    CHECK_OK(value.get_string(sv));
    CHECK_EQ(sv, "Godot");
    CHECK_EQ(d.dict_entry(3, key, value), Error::ERR_INVALID_PARAMETER);
    CHECK(!key && !value);

    // A deep copy is independent.
    Variant dup = arr_back.duplicate();
    CHECK(dup.equal(arr_back));
    CHECK_OK(dup.array_push(6));
    CHECK(!dup.equal(arr_back));
    CHECK(Variant(1).equal(Variant(1.0))); // Godot's ==
    CHECK(!Variant(NAN).equal(Variant(NAN)));

    // Typed containers.
    Variant ints = Variant::array();
    CHECK_OK(ints.array_set_typed(VariantType::INT));
    CHECK_OK(ints.array_push(5));
    CHECK_EQ(ints.array_push("five"), Error::ERR_INVALID_PARAMETER);
    VariantType elem = VariantType::NIL;
    std::string cls = "junk";
    Variant ints_back = round_trip(p, ints, "typed Array");
    CHECK_OK(ints_back.array_get_typed(elem, &cls));
    CHECK_EQ(elem, VariantType::INT);
    CHECK_EQ(cls, "");
    Variant typed_dict = Variant::dictionary();
    CHECK_OK(typed_dict.dict_set_typed(VariantType::STRING, VariantType::FLOAT));
    CHECK_OK(typed_dict.dict_set("x", 1.5));
    CHECK_EQ(typed_dict.dict_set(1, 1.5), Error::ERR_INVALID_PARAMETER);
    VariantType kt = VariantType::NIL, vt = VariantType::NIL;
    CHECK_OK(round_trip(p, typed_dict, "typed Dictionary").dict_get_typed(kt, vt));
    CHECK_EQ(kt, VariantType::STRING);
    CHECK_EQ(vt, VariantType::FLOAT);
    CHECK_EQ(Variant(1).array_get_typed(elem), Error::ERR_INVALID_PARAMETER);

    // Full objects travel only when both sides agree.
    Variant obj = Variant::object("Node2D");
    CHECK_OK(obj.object_set("name", "Player"));
    CHECK_OK(obj.object_set("position", Vector2{1, 2}));
    CHECK_EQ(obj.size(), 2u);
    CHECK_EQ(p.client.put_var(obj), Error::ERR_INVALID_PARAMETER);
    CHECK_OK(p.client.put_var(obj, true));
    Variant refused = Variant(1);
    CHECK_EQ(p.accepted.get_var(refused), Error::ERR_UNAUTHORIZED);
    CHECK(!refused);
    CHECK_OK(p.client.put_var(obj, true));
    Variant obj_back;
    CHECK_OK(p.accepted.get_var(obj_back, true));
    CHECK_OK(obj_back.object_get_class(sv));
    CHECK_EQ(sv, "Node2D");
    std::string prop;
    VariantRef pval;
    CHECK_OK(obj_back.object_property(0, prop, pval));
    CHECK_EQ(prop, "name");
    CHECK_OK(pval.get_string(sv));
    CHECK_EQ(sv, "Player");
    CHECK_EQ(obj_back.object_property(2, prop, pval), Error::ERR_INVALID_PARAMETER);
    CHECK(!pval);

    // var_to_bytes / bytes_to_var, Godot 4 and 3.
    std::vector<uint8_t> bytes;
    CHECK_OK(var_to_bytes(arr, bytes));
    CHECK(!bytes.empty() && bytes.size() % 4 == 0);
    Variant decoded;
    size_t used = 0;
    CHECK_OK(bytes_to_var(bytes.data(), bytes.size(), decoded, 4, false, &used));
    CHECK_EQ(used, bytes.size());
    CHECK(decoded.equal(arr));
    CHECK_EQ(var_to_bytes(Variant::string_name("x"), bytes, 3), Error::ERR_INVALID_PARAMETER); // Godot 3 has none
    CHECK(bytes.empty());
    CHECK_EQ(bytes_to_var("\x01", 1, decoded), Error::ERR_INVALID_DATA);
    CHECK(!decoded);
    CHECK_OK(var_to_bytes(obj, bytes, 4, true));
    CHECK_EQ(bytes_to_var(bytes.data(), bytes.size(), decoded), Error::ERR_UNAUTHORIZED);
    CHECK_OK(bytes_to_var(bytes.data(), bytes.size(), decoded, 4, true));
    CHECK(decoded.equal(obj));

    CHECK_OK(p.client.set_variant_format(3));
    CHECK_OK(p.accepted.set_variant_format(3));
    CHECK_EQ(p.client.get_variant_format(), 3);
    Variant g3 = Variant::dictionary();
    CHECK_OK(g3.dict_set("pos", Vector3{1, 2, 3}));
    CHECK_OK(g3.dict_set("list", Variant::packed(i32s, 3)));
    round_trip(p, g3, "Godot 3 Dictionary");
    CHECK_EQ(p.client.put_var(Variant::string_name("x")), Error::ERR_INVALID_PARAMETER);
    CHECK_EQ(p.client.set_variant_format(5), Error::ERR_INVALID_PARAMETER);
    CHECK_OK(p.client.set_variant_format(4));
    CHECK_EQ(p.client.get_variant_format(), 4);
    CHECK_EQ(p.accepted.get_available_bytes(), 0);
}

static void test_uds() {
    char dir_template[] = "/tmp/sptcp-cxx-XXXXXX";
    char *dir = mkdtemp(dir_template);
    if (!dir) {
        FAIL("mkdtemp");
        return;
    }
    const std::string path = std::string(dir) + "/server.sock";
    {
        Server server = Server::uds();
        CHECK(server);
        CHECK_EQ(server.uds_listen(""), Error::ERR_INVALID_PARAMETER);
        CHECK_OK(server.uds_listen(path));
        CHECK(server.is_listening());
        CHECK_EQ(server.listen(0), Error::ERR_UNAVAILABLE); // TCP call on a UDS server
        CHECK_EQ(server.get_local_port(), 0);

        Peer client = Peer::uds();
        CHECK_EQ(client.bind(0), Error::ERR_UNAVAILABLE); // TCP call on a UDS peer
        CHECK_OK(client.uds_bind(std::string(dir) + "/client.sock"));
        CHECK_OK(client.uds_connect_to_host(path));
        CHECK_OK(server.wait(5000));
        Peer accepted = server.take_connection();
        CHECK(accepted);
        CHECK_EQ(poll_until(client, Status::CONNECTED, 5000), Status::CONNECTED);
        CHECK_EQ(client.uds_get_connected_path(), path);
        CHECK_EQ(accepted.uds_get_connected_path(), ""); // as in Godot
        CHECK_OK(client.put_u32(0xdeadbeefu));
        Variant v = Variant::array();
        CHECK_OK(v.array_push("over a Unix socket"));
        CHECK_OK(client.put_var(v));
        uint32_t u = 0;
        CHECK_OK(accepted.get_u32(u));
        CHECK_EQ(u, 0xdeadbeefu);
        Variant back;
        CHECK_OK(accepted.get_var(back));
        CHECK(back.equal(v));
        CHECK_OK(accepted.put_utf8_string("ack"));
        std::string s;
        CHECK_OK(client.get_utf8_string(s));
        CHECK_EQ(s, "ack");
        CHECK_EQ(accepted.get_bytes_received(), client.get_bytes_sent());
        CHECK_EQ(Peer::tcp().uds_connect_to_host(path), Error::ERR_UNAVAILABLE); // UDS call on TCP

        struct stat st;
        CHECK(stat(path.c_str(), &st) == 0);
        server.stop(); // removes the socket file it made
        CHECK(stat(path.c_str(), &st) != 0);
    }
    unlink((std::string(dir) + "/client.sock").c_str());
    CHECK(rmdir(dir) == 0);
}

static void test_group() {
    Server server = Server::tcp();
    CHECK_OK(server.listen(0, "127.0.0.1"));
    Group g = Group::create();
    CHECK(g);
    CHECK(g.get_fd() >= 0);
    int server_tag = 1, peer_tag = 2;
    CHECK_OK(g.add_server(server, &server_tag));
    CHECK_EQ(g.add_server(server), Error::ERR_ALREADY_IN_USE);
    CHECK_EQ(g.size(), 1u);
    Event ev[8];
    size_t n = 99;
    CHECK_OK(g.wait(0, ev, n)); // nothing ready: OK with 0 events
    CHECK_EQ(n, 0u);

    Peer client = Peer::tcp();
    CHECK_OK(client.connect_to_host("127.0.0.1", server.get_local_port()));
    CHECK_OK(g.wait(5000, ev, n));
    CHECK_EQ(n, 1u);
    CHECK(n >= 1 && ev[0].user_data == &server_tag && (ev[0].events & EVENT_ACCEPTABLE));
    Peer accepted = server.take_connection();
    CHECK(accepted);
    CHECK_EQ(poll_until(client, Status::CONNECTED, 5000), Status::CONNECTED);

    CHECK_OK(g.add_peer(accepted, EVENT_READABLE, &peer_tag));
    CHECK_EQ(g.add_peer(accepted, EVENT_READABLE), Error::ERR_ALREADY_IN_USE);
    CHECK_EQ(g.size(), 2u);
    CHECK_OK(client.put_data("ping", 4));
    bool readable = false;
    long long end = now_ms() + 5000;
    while (!readable && now_ms() < end) {
        CHECK_OK(g.wait(1000, ev, n));
        for (size_t i = 0; i < n; i++) {
            readable |= ev[i].user_data == &peer_tag && (ev[i].events & EVENT_READABLE);
        }
    }
    CHECK(readable);

    // The group follows the handle, so a moved Peer stays a member.
    Peer moved = std::move(accepted);
    CHECK_OK(g.wait(0, ev, n)); // level-triggered: still readable
    CHECK(n == 1 && ev[0].user_data == &peer_tag);
    char buf[4];
    CHECK_OK(moved.get_data(buf, 4));
    CHECK_OK(g.set_interest(moved, EVENT_WRITABLE));
    CHECK_OK(g.wait(1000, ev, n));
    CHECK(n == 1 && (ev[0].events & EVENT_WRITABLE));
    CHECK_EQ(g.set_interest(client, EVENT_READABLE), Error::ERR_DOES_NOT_EXIST);
    CHECK_OK(g.remove_peer(moved));
    CHECK_EQ(g.remove_peer(moved), Error::ERR_DOES_NOT_EXIST);
    CHECK_OK(g.remove_server(server));
    CHECK_EQ(g.size(), 0u);

    // Freeing a member removes it; freeing the group leaves members alive.
    CHECK_OK(g.add_peer(moved, EVENT_READABLE));
    CHECK_OK(g.add_peer(client, EVENT_READABLE));
    moved.reset();
    CHECK_EQ(g.size(), 1u);
    g.reset();
    CHECK_EQ(client.get_status(), Status::CONNECTED);
    Group other = Group::create();
    CHECK_OK(other.add_peer(client, EVENT_READABLE)); // free to join another group
}

static std::string read_file(const std::string &path) {
    std::string text;
    if (FILE *f = std::fopen(path.c_str(), "rb")) {
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
            text.append(buf, n);
        }
        std::fclose(f);
    }
    return text;
}

// StreamPeerTLS through the C++ classes: options, a handshake over a TCP
// pair, typed values and a Variant on the plaintext, the stream's
// ownership, a wrong name. Certificates from c-tests/tls_certs.sh, in the
// directory run.sh names in SPTCP_TLS_CERTS.
static void test_tls() {
    const char *dir = std::getenv("SPTCP_TLS_CERTS");
    if (dir == nullptr) {
        FAIL("SPTCP_TLS_CERTS is not set (run.sh makes the certificates)");
        return;
    }
    std::string d(dir);
    std::string ca = read_file(d + "/ca.pem"), key = read_file(d + "/server.key"),
                cert = read_file(d + "/server.pem");
    CHECK(!ca.empty() && !key.empty() && !cert.empty());
    CHECK(!TlsOptions::client("not PEM"));
    TlsOptions client = TlsOptions::client(ca);
    TlsOptions server = TlsOptions::server(key, cert);
    CHECK(client);
    CHECK(server);
    Pair p;
    if (!tcp_pair(p)) {
        FAIL("no TCP pair for TLS");
        return;
    }
    Peer c = Peer::tls(), a = Peer::tls();
    CHECK_EQ(c.tls_get_status(), TlsStatus::DISCONNECTED);
    // Wrong side's options: the stream stays the caller's.
    CHECK_EQ(c.tls_connect_to_stream(p.client, "localhost", &server), Error::ERR_INVALID_PARAMETER);
    CHECK(p.client);
    sptcp_peer *raw = p.client.get();
    CHECK_OK(c.tls_connect_to_stream(p.client, "localhost", &client));
    CHECK(!p.client);
    CHECK(c.tls_get_stream() == raw);
    CHECK_OK(a.tls_accept_stream(p.accepted, server));
    long long end = now_ms() + 10000;
    while ((c.tls_get_status() == TlsStatus::HANDSHAKING || a.tls_get_status() == TlsStatus::HANDSHAKING) &&
           now_ms() < end) {
        (void)c.tls_poll();
        (void)a.tls_poll();
    }
    CHECK_EQ(c.tls_get_status(), TlsStatus::CONNECTED);
    CHECK_EQ(a.tls_get_status(), TlsStatus::CONNECTED);
    CHECK_OK(c.put_u32(0xC0FFEEu));
    CHECK_OK(c.put_var(Variant("over TLS")));
    uint32_t v = 0;
    CHECK_OK(a.get_u32(v));
    CHECK_EQ(v, 0xC0FFEEu);
    Variant got;
    CHECK_OK(a.get_var(got));
    std::string text;
    CHECK_OK(got.get_string(text));
    CHECK_EQ(text, "over TLS");
    // The far side's close_notify: DISCONNECTED, no stream.
    a.tls_disconnect_from_stream();
    end = now_ms() + 5000;
    while (c.tls_get_status() == TlsStatus::CONNECTED && now_ms() < end) {
        (void)c.tls_poll();
    }
    CHECK_EQ(c.tls_get_status(), TlsStatus::DISCONNECTED);
    CHECK(c.tls_get_stream() == nullptr);

    // A wrong name.
    Pair q;
    if (!tcp_pair(q)) {
        FAIL("no TCP pair for TLS");
        return;
    }
    Peer c2 = Peer::tls(), a2 = Peer::tls();
    CHECK_OK(c2.tls_connect_to_stream(q.client, "elsewhere.example", &client));
    CHECK_OK(a2.tls_accept_stream(q.accepted, server));
    end = now_ms() + 10000;
    while (c2.tls_get_status() == TlsStatus::HANDSHAKING && now_ms() < end) {
        (void)c2.tls_poll();
        (void)a2.tls_poll();
    }
    CHECK_EQ(c2.tls_get_status(), TlsStatus::ERROR_HOSTNAME_MISMATCH);
}

int main() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    long long t0 = now_ms();
    test_enums_and_version();
    test_traits();
    test_empty_objects();
    test_moves();
    test_tcp();
    test_typed_and_strings();
    test_buffer();
    test_variants();
    test_uds();
    test_group();
    test_tls();
    std::fprintf(stderr, "test_cxx: %lld ms\n", now_ms() - t0);
    std::printf("test_cxx: %d passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed ? 1 : 0;
}
