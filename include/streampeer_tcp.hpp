/*
 * streampeer_tcp.hpp: a header-only C++17 wrapper over streampeer_tcp.h.
 *
 * Godot 4's StreamPeerTCP / StreamPeer / StreamPeerBuffer / StreamPeerUDS /
 * StreamPeerTLS, TCPServer / UDSServer, TLSOptions, Variant and the poll
 * groups, as RAII classes.
 * Every call forwards to the C function named in its comment, whose doc
 * comment in streampeer_tcp.h is the full contract (errors, order of checks).
 *
 * Conventions:
 *  - Names: the C function without `sptcp_` and without its class prefix
 *    (`sptcp_server_listen` -> Server::listen, `sptcp_variant_array_push`
 *    -> Variant::array_push, `sptcp_group_wait` -> Group::wait). Peer keeps
 *    `buffer_` and `uds_` (one Peer class covers every kind of peer).
 *  - Peer, Server, Variant and Group own one C handle each: move-only
 *    (moves are noexcept and leave the source empty), the destructor frees.
 *    An empty object (default-constructed, moved from, none taken) is safe
 *    to use: its calls reach the C API with NULL and get
 *    Error::ERR_INVALID_PARAMETER or the "nothing" value. `get()` gives the
 *    C handle (still owned), `release()` gives it up.
 *  - Results: [[nodiscard]] Error (Error::OK is success); values come back
 *    through references. No exceptions, no RTTI, no iostream: builds with
 *    -fno-exceptions -fno-rtti.
 *  - Strings in are std::string_view (UTF-8; copied to add the NUL, so an
 *    embedded NUL ends the text as in C), strings out std::string.
 *  - Threads: as in C, one object is used by one thread at a time.
 */
#ifndef STREAMPEER_TCP_HPP
#define STREAMPEER_TCP_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "streampeer_tcp.h"

// <windows.h> (wingdi.h) defines ERROR as a macro; keep it out of Status.
#pragma push_macro("ERROR")
#undef ERROR

namespace sptcp {

/** Godot's Error, with the numbers of sptcp_error. */
enum class [[nodiscard]] Error : int32_t {
    OK = SPTCP_OK,
    FAILED = SPTCP_FAILED,
    ERR_UNAVAILABLE = SPTCP_ERR_UNAVAILABLE,
    ERR_UNCONFIGURED = SPTCP_ERR_UNCONFIGURED,
    ERR_UNAUTHORIZED = SPTCP_ERR_UNAUTHORIZED,
    ERR_PARAMETER_RANGE_ERROR = SPTCP_ERR_PARAMETER_RANGE_ERROR,
    ERR_OUT_OF_MEMORY = SPTCP_ERR_OUT_OF_MEMORY,
    ERR_FILE_NOT_FOUND = SPTCP_ERR_FILE_NOT_FOUND,
    ERR_FILE_BAD_DRIVE = SPTCP_ERR_FILE_BAD_DRIVE,
    ERR_FILE_BAD_PATH = SPTCP_ERR_FILE_BAD_PATH,
    ERR_FILE_NO_PERMISSION = SPTCP_ERR_FILE_NO_PERMISSION,
    ERR_FILE_ALREADY_IN_USE = SPTCP_ERR_FILE_ALREADY_IN_USE,
    ERR_FILE_CANT_OPEN = SPTCP_ERR_FILE_CANT_OPEN,
    ERR_FILE_CANT_WRITE = SPTCP_ERR_FILE_CANT_WRITE,
    ERR_FILE_CANT_READ = SPTCP_ERR_FILE_CANT_READ,
    ERR_FILE_UNRECOGNIZED = SPTCP_ERR_FILE_UNRECOGNIZED,
    ERR_FILE_CORRUPT = SPTCP_ERR_FILE_CORRUPT,
    ERR_FILE_MISSING_DEPENDENCIES = SPTCP_ERR_FILE_MISSING_DEPENDENCIES,
    ERR_FILE_EOF = SPTCP_ERR_FILE_EOF,
    ERR_CANT_OPEN = SPTCP_ERR_CANT_OPEN,
    ERR_CANT_CREATE = SPTCP_ERR_CANT_CREATE,
    ERR_QUERY_FAILED = SPTCP_ERR_QUERY_FAILED,
    ERR_ALREADY_IN_USE = SPTCP_ERR_ALREADY_IN_USE,
    ERR_LOCKED = SPTCP_ERR_LOCKED,
    ERR_TIMEOUT = SPTCP_ERR_TIMEOUT,
    ERR_CANT_CONNECT = SPTCP_ERR_CANT_CONNECT,
    ERR_CANT_RESOLVE = SPTCP_ERR_CANT_RESOLVE,
    ERR_CONNECTION_ERROR = SPTCP_ERR_CONNECTION_ERROR,
    ERR_CANT_ACQUIRE_RESOURCE = SPTCP_ERR_CANT_ACQUIRE_RESOURCE,
    ERR_CANT_FORK = SPTCP_ERR_CANT_FORK,
    ERR_INVALID_DATA = SPTCP_ERR_INVALID_DATA,
    ERR_INVALID_PARAMETER = SPTCP_ERR_INVALID_PARAMETER,
    ERR_ALREADY_EXISTS = SPTCP_ERR_ALREADY_EXISTS,
    ERR_DOES_NOT_EXIST = SPTCP_ERR_DOES_NOT_EXIST,
    ERR_DATABASE_CANT_READ = SPTCP_ERR_DATABASE_CANT_READ,
    ERR_DATABASE_CANT_WRITE = SPTCP_ERR_DATABASE_CANT_WRITE,
    ERR_COMPILATION_FAILED = SPTCP_ERR_COMPILATION_FAILED,
    ERR_METHOD_NOT_FOUND = SPTCP_ERR_METHOD_NOT_FOUND,
    ERR_LINK_FAILED = SPTCP_ERR_LINK_FAILED,
    ERR_SCRIPT_FAILED = SPTCP_ERR_SCRIPT_FAILED,
    ERR_CYCLIC_LINK = SPTCP_ERR_CYCLIC_LINK,
    ERR_INVALID_DECLARATION = SPTCP_ERR_INVALID_DECLARATION,
    ERR_DUPLICATE_SYMBOL = SPTCP_ERR_DUPLICATE_SYMBOL,
    ERR_PARSE_ERROR = SPTCP_ERR_PARSE_ERROR,
    ERR_BUSY = SPTCP_ERR_BUSY,
    ERR_SKIP = SPTCP_ERR_SKIP,
    ERR_HELP = SPTCP_ERR_HELP,
    ERR_BUG = SPTCP_ERR_BUG,
    ERR_PRINTER_ON_FIRE = SPTCP_ERR_PRINTER_ON_FIRE,
};

/** A socket peer's status (sptcp_status). With <windows.h>, #undef ERROR first. */
enum class Status : int32_t {
    NONE = SPTCP_STATUS_NONE,
    CONNECTING = SPTCP_STATUS_CONNECTING,
    CONNECTED = SPTCP_STATUS_CONNECTED,
    ERROR = SPTCP_STATUS_ERROR,
};

/** StreamPeerTLS's status (sptcp_tls_status). */
enum class TlsStatus : int32_t {
    DISCONNECTED = SPTCP_TLS_STATUS_DISCONNECTED,
    HANDSHAKING = SPTCP_TLS_STATUS_HANDSHAKING,
    CONNECTED = SPTCP_TLS_STATUS_CONNECTED,
    ERROR = SPTCP_TLS_STATUS_ERROR,
    ERROR_HOSTNAME_MISMATCH = SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH,
};

/** Godot 4's Variant::Type ids (sptcp_variant_type). */
enum class VariantType : int32_t {
    NIL = SPTCP_TYPE_NIL,
    BOOL = SPTCP_TYPE_BOOL,
    INT = SPTCP_TYPE_INT,
    FLOAT = SPTCP_TYPE_FLOAT,
    STRING = SPTCP_TYPE_STRING,
    VECTOR2 = SPTCP_TYPE_VECTOR2,
    VECTOR2I = SPTCP_TYPE_VECTOR2I,
    RECT2 = SPTCP_TYPE_RECT2,
    RECT2I = SPTCP_TYPE_RECT2I,
    VECTOR3 = SPTCP_TYPE_VECTOR3,
    VECTOR3I = SPTCP_TYPE_VECTOR3I,
    TRANSFORM2D = SPTCP_TYPE_TRANSFORM2D,
    VECTOR4 = SPTCP_TYPE_VECTOR4,
    VECTOR4I = SPTCP_TYPE_VECTOR4I,
    PLANE = SPTCP_TYPE_PLANE,
    QUATERNION = SPTCP_TYPE_QUATERNION,
    AABB = SPTCP_TYPE_AABB,
    BASIS = SPTCP_TYPE_BASIS,
    TRANSFORM3D = SPTCP_TYPE_TRANSFORM3D,
    PROJECTION = SPTCP_TYPE_PROJECTION,
    COLOR = SPTCP_TYPE_COLOR,
    STRING_NAME = SPTCP_TYPE_STRING_NAME,
    NODE_PATH = SPTCP_TYPE_NODE_PATH,
    RID = SPTCP_TYPE_RID,
    OBJECT = SPTCP_TYPE_OBJECT,
    CALLABLE = SPTCP_TYPE_CALLABLE,
    SIGNAL = SPTCP_TYPE_SIGNAL,
    DICTIONARY = SPTCP_TYPE_DICTIONARY,
    ARRAY = SPTCP_TYPE_ARRAY,
    PACKED_BYTE_ARRAY = SPTCP_TYPE_PACKED_BYTE_ARRAY,
    PACKED_INT32_ARRAY = SPTCP_TYPE_PACKED_INT32_ARRAY,
    PACKED_INT64_ARRAY = SPTCP_TYPE_PACKED_INT64_ARRAY,
    PACKED_FLOAT32_ARRAY = SPTCP_TYPE_PACKED_FLOAT32_ARRAY,
    PACKED_FLOAT64_ARRAY = SPTCP_TYPE_PACKED_FLOAT64_ARRAY,
    PACKED_STRING_ARRAY = SPTCP_TYPE_PACKED_STRING_ARRAY,
    PACKED_VECTOR2_ARRAY = SPTCP_TYPE_PACKED_VECTOR2_ARRAY,
    PACKED_VECTOR3_ARRAY = SPTCP_TYPE_PACKED_VECTOR3_ARRAY,
    PACKED_COLOR_ARRAY = SPTCP_TYPE_PACKED_COLOR_ARRAY,
    PACKED_VECTOR4_ARRAY = SPTCP_TYPE_PACKED_VECTOR4_ARRAY,
};

/** Event bits for Peer::wait and Group (SPTCP_EVENT_*; combine with |). */
inline constexpr uint32_t EVENT_READABLE = SPTCP_EVENT_READABLE;
inline constexpr uint32_t EVENT_WRITABLE = SPTCP_EVENT_WRITABLE;
inline constexpr uint32_t EVENT_HANGUP = SPTCP_EVENT_HANGUP;
inline constexpr uint32_t EVENT_ERROR = SPTCP_EVENT_ERROR;
inline constexpr uint32_t EVENT_ACCEPTABLE = SPTCP_EVENT_ACCEPTABLE;

/** One ready group member: the user_data it was added with and its event bits. */
using Event = sptcp_event;

/** Godot's text for an error ("Can't connect"); sptcp_error_string. */
inline const char *error_string(Error e) noexcept { return sptcp_error_string(static_cast<int32_t>(e)); }
/** The constant's name ("ERR_CANT_CONNECT"); sptcp_error_name. */
inline const char *error_name(Error e) noexcept { return sptcp_error_name(static_cast<int32_t>(e)); }
/** This thread's detail of the last failing call, "" when none; sptcp_last_error_message. */
inline std::string last_error_message() { return sptcp_last_error_message(); }
/** The library's version ("0.1.0"); sptcp_version. */
inline const char *version() noexcept { return sptcp_version(); }

// --- Godot's math types, as the C API carries them (doubles; int32 for *I) ---
// Members in Godot's order; the defaults are Godot's (identity, opaque black).

struct Vector2 { double x = 0, y = 0; };
struct Vector2i { int32_t x = 0, y = 0; };
struct Vector3 { double x = 0, y = 0, z = 0; };
struct Vector3i { int32_t x = 0, y = 0, z = 0; };
struct Vector4 { double x = 0, y = 0, z = 0, w = 0; };
struct Vector4i { int32_t x = 0, y = 0, z = 0, w = 0; };
struct Rect2 { Vector2 position, size; };
struct Rect2i { Vector2i position, size; };
/** Columns x and y, then the origin. */
struct Transform2D { Vector2 x{1, 0}, y{0, 1}, origin; };
struct Plane { Vector3 normal; double d = 0; };
struct Quaternion { double x = 0, y = 0, z = 0, w = 1; };
struct AABB { Vector3 position, size; };
/** Rows, as Godot stores them. */
struct Basis { Vector3 rows[3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}; };
struct Transform3D { Basis basis; Vector3 origin; };
/** Columns. */
struct Projection { Vector4 columns[4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}; };
struct Color { double r = 0, g = 0, b = 0, a = 1; };

namespace detail {

// Which Variant type a math struct is, and its components (laid out flat,
// as the static_asserts below check; that is the order sptcp_variant_new_math
// takes). Only the math structs have an `elem`.
template <class T> struct Math {};
template <class E, size_t N, sptcp_variant_type Type> struct MathInfo {
    using elem = E;
    static constexpr size_t count = N;
    static constexpr sptcp_variant_type type = Type;
};
template <> struct Math<Vector2> : MathInfo<double, 2, SPTCP_TYPE_VECTOR2> {};
template <> struct Math<Vector2i> : MathInfo<int32_t, 2, SPTCP_TYPE_VECTOR2I> {};
template <> struct Math<Rect2> : MathInfo<double, 4, SPTCP_TYPE_RECT2> {};
template <> struct Math<Rect2i> : MathInfo<int32_t, 4, SPTCP_TYPE_RECT2I> {};
template <> struct Math<Vector3> : MathInfo<double, 3, SPTCP_TYPE_VECTOR3> {};
template <> struct Math<Vector3i> : MathInfo<int32_t, 3, SPTCP_TYPE_VECTOR3I> {};
template <> struct Math<Transform2D> : MathInfo<double, 6, SPTCP_TYPE_TRANSFORM2D> {};
template <> struct Math<Vector4> : MathInfo<double, 4, SPTCP_TYPE_VECTOR4> {};
template <> struct Math<Vector4i> : MathInfo<int32_t, 4, SPTCP_TYPE_VECTOR4I> {};
template <> struct Math<Plane> : MathInfo<double, 4, SPTCP_TYPE_PLANE> {};
template <> struct Math<Quaternion> : MathInfo<double, 4, SPTCP_TYPE_QUATERNION> {};
template <> struct Math<AABB> : MathInfo<double, 6, SPTCP_TYPE_AABB> {};
template <> struct Math<Basis> : MathInfo<double, 9, SPTCP_TYPE_BASIS> {};
template <> struct Math<Transform3D> : MathInfo<double, 12, SPTCP_TYPE_TRANSFORM3D> {};
template <> struct Math<Projection> : MathInfo<double, 16, SPTCP_TYPE_PROJECTION> {};
template <> struct Math<Color> : MathInfo<double, 4, SPTCP_TYPE_COLOR> {};

template <class T> constexpr bool flat() {
    using M = Math<T>;
    return sizeof(T) == M::count * sizeof(typename M::elem) && std::is_standard_layout_v<T> &&
           std::is_trivially_copyable_v<T>;
}
static_assert(flat<Vector2>() && flat<Vector2i>() && flat<Rect2>() && flat<Rect2i>() && flat<Vector3>() &&
                  flat<Vector3i>() && flat<Transform2D>() && flat<Vector4>() && flat<Vector4i>() &&
                  flat<Plane>() && flat<Quaternion>() && flat<AABB>() && flat<Basis>() &&
                  flat<Transform3D>() && flat<Projection>() && flat<Color>(),
              "math structs must be flat arrays of their components");

template <class T> void math_to_doubles(const T &m, double *out) {
    typename Math<T>::elem c[Math<T>::count];
    std::memcpy(c, &m, sizeof c);
    for (size_t i = 0; i < Math<T>::count; i++) {
        out[i] = static_cast<double>(c[i]);
    }
}

template <class T> void math_from_doubles(const double *in, T &m) {
    typename Math<T>::elem c[Math<T>::count];
    for (size_t i = 0; i < Math<T>::count; i++) {
        c[i] = static_cast<typename Math<T>::elem>(in[i]);
    }
    std::memcpy(&m, c, sizeof c);
}

// Which packed array holds elements of type T (Variant::packed, get_packed).
template <class T> struct Packed {};
template <> struct Packed<uint8_t> { static constexpr sptcp_variant_type type = SPTCP_TYPE_PACKED_BYTE_ARRAY; };
template <> struct Packed<int32_t> { static constexpr sptcp_variant_type type = SPTCP_TYPE_PACKED_INT32_ARRAY; };
template <> struct Packed<int64_t> { static constexpr sptcp_variant_type type = SPTCP_TYPE_PACKED_INT64_ARRAY; };
template <> struct Packed<float> { static constexpr sptcp_variant_type type = SPTCP_TYPE_PACKED_FLOAT32_ARRAY; };
template <> struct Packed<double> { static constexpr sptcp_variant_type type = SPTCP_TYPE_PACKED_FLOAT64_ARRAY; };

inline Error err(sptcp_error e) noexcept { return static_cast<Error>(e); }

// Calls an snprintf-style C getter `f(buf, len) -> full length` and
// returns the whole text.
template <class F> std::string snprintf_string(F f) {
    char small[128];
    size_t n = f(small, sizeof small);
    if (n < sizeof small) {
        return std::string(small, n);
    }
    std::string s(n + 1, '\0');
    n = f(&s[0], s.size());
    s.resize(n < s.size() ? n : s.size() - 1);
    return s;
}

// Takes a string the library allocated (sptcp_get_string and kin).
inline void take_string(char *s, size_t len, std::string &out) {
    if (s) {
        out.assign(s, len);
    } else {
        out.clear();
    }
    sptcp_string_free(s);
}

} // namespace detail

class VariantRef;
class Variant;

/**
 * Godot's TLSOptions (c-api.md §10): move-only, frees with
 * sptcp_tls_options_free. A factory that fails (bad PEM) gives an empty
 * object; last_error_message() says why. Peers keep what they need, so
 * the options may go right after tls_connect_to_stream / tls_accept_stream.
 */
class TlsOptions {
public:
    TlsOptions() noexcept = default;
    explicit TlsOptions(sptcp_tls_options *owned) noexcept : o_(owned) {}
    TlsOptions(TlsOptions &&o) noexcept : o_(o.release()) {}
    TlsOptions &operator=(TlsOptions &&o) noexcept {
        if (this != &o) {
            sptcp_tls_options_free(o_);
            o_ = o.release();
        }
        return *this;
    }
    TlsOptions(const TlsOptions &) = delete;
    TlsOptions &operator=(const TlsOptions &) = delete;
    ~TlsOptions() { sptcp_tls_options_free(o_); }

    /** Client: trust `trusted_chain_pem` ("" = the default roots, Mozilla's); "" override = none (sptcp_tls_options_client). */
    static TlsOptions client(std::string_view trusted_chain_pem = {}, std::string_view common_name_override = {}) {
        std::string chain(trusted_chain_pem), name(common_name_override);
        return TlsOptions(sptcp_tls_options_client(chain.empty() ? nullptr : chain.c_str(),
                                                   name.empty() ? nullptr : name.c_str()));
    }
    /** Client that verifies nothing, for tests (sptcp_tls_options_client_unsafe). */
    static TlsOptions client_unsafe(std::string_view trusted_chain_pem = {}) {
        std::string chain(trusted_chain_pem);
        return TlsOptions(sptcp_tls_options_client_unsafe(chain.empty() ? nullptr : chain.c_str()));
    }
    /** Server: private key and certificate chain, PEM (sptcp_tls_options_server). */
    static TlsOptions server(std::string_view private_key_pem, std::string_view certificate_chain_pem) {
        return TlsOptions(sptcp_tls_options_server(std::string(private_key_pem).c_str(),
                                                   std::string(certificate_chain_pem).c_str()));
    }

    explicit operator bool() const noexcept { return o_ != nullptr; }
    const sptcp_tls_options *get() const noexcept { return o_; }
    sptcp_tls_options *release() noexcept { return std::exchange(o_, nullptr); }

private:
    sptcp_tls_options *o_ = nullptr;
};

/**
 * Any sptcp_peer: StreamPeerTCP (Peer::tcp), StreamPeerUDS (Peer::uds),
 * StreamPeerBuffer (Peer::buffer), or one taken from a Server. The whole
 * StreamPeer data API works on every kind; calls for another kind give
 * ERR_UNAVAILABLE / ERR_INVALID_PARAMETER as the C API says.
 */
class Peer {
public:
    Peer() noexcept = default;
    /** Adopts a peer from the C API (NULL gives an empty Peer). */
    explicit Peer(sptcp_peer *owned) noexcept : p_(owned) {}
    Peer(Peer &&o) noexcept : p_(o.release()) {}
    Peer &operator=(Peer &&o) noexcept {
        if (this != &o) {
            sptcp_peer_free(p_);
            p_ = o.release();
        }
        return *this;
    }
    Peer(const Peer &) = delete;
    Peer &operator=(const Peer &) = delete;
    /** Disconnects and frees (sptcp_peer_free). */
    ~Peer() { sptcp_peer_free(p_); }

    /** A new StreamPeerTCP (sptcp_peer_new). */
    static Peer tcp() noexcept { return Peer(sptcp_peer_new()); }
    /** A new StreamPeerUDS (sptcp_uds_new). */
    static Peer uds() noexcept { return Peer(sptcp_uds_new()); }
    /** A new, empty StreamPeerBuffer (sptcp_buffer_new). */
    static Peer buffer() noexcept { return Peer(sptcp_buffer_new()); }
    /** A new StreamPeerTLS, without a stream (sptcp_tls_new). */
    static Peer tls() noexcept { return Peer(sptcp_tls_new()); }

    /** False when empty (default, moved from, no connection taken). */
    explicit operator bool() const noexcept { return p_ != nullptr; }
    /** The C handle, still owned by this Peer. */
    sptcp_peer *get() const noexcept { return p_; }
    /** Gives up the handle: the caller frees it with sptcp_peer_free. */
    sptcp_peer *release() noexcept { return std::exchange(p_, nullptr); }
    /** Frees the peer now; the Peer is empty afterwards. */
    void reset() noexcept { sptcp_peer_free(std::exchange(p_, nullptr)); }

    // --- StreamPeerTCP (sptcp_<name>) ---
    [[nodiscard]] Error bind(int32_t port, std::string_view host = "*") {
        return detail::err(sptcp_bind(p_, port, std::string(host).c_str()));
    }
    [[nodiscard]] Error connect_to_host(std::string_view host, int32_t port) {
        return detail::err(sptcp_connect_to_host(p_, std::string(host).c_str(), port));
    }
    void disconnect_from_host() noexcept { sptcp_disconnect_from_host(p_); }
    /** The address connected to, "" when none (sptcp_get_connected_host). */
    std::string get_connected_host() const {
        return detail::snprintf_string([this](char *b, size_t n) { return sptcp_get_connected_host(p_, b, n); });
    }
    int32_t get_connected_port() const noexcept { return sptcp_get_connected_port(p_); }
    int32_t get_local_port() const noexcept { return sptcp_get_local_port(p_); }
    /** The status as of the last poll; never polls (sptcp_get_status). */
    Status get_status() const noexcept { return static_cast<Status>(sptcp_get_status(p_)); }
    /** Drives a connect and notices closes and errors (sptcp_poll). */
    [[nodiscard]] Error poll() noexcept { return detail::err(sptcp_poll(p_)); }
    void set_no_delay(bool enabled) noexcept { sptcp_set_no_delay(p_, enabled); }
    void set_connect_timeout_ms(uint32_t ms) noexcept { sptcp_set_connect_timeout_ms(p_, ms); }
    uint32_t get_connect_timeout_ms() const noexcept { return sptcp_get_connect_timeout_ms(p_); }

    // --- StreamPeer data API ---
    /** Sends all `len` bytes, blocking (sptcp_put_data). */
    [[nodiscard]] Error put_data(const void *data, size_t len) noexcept {
        return detail::err(sptcp_put_data(p_, static_cast<const uint8_t *>(data), len));
    }
    /** Sends what fits now, never blocks; `*sent` gets the count (sptcp_put_partial_data). */
    [[nodiscard]] Error put_partial_data(const void *data, size_t len, size_t *sent = nullptr) noexcept {
        return detail::err(sptcp_put_partial_data(p_, static_cast<const uint8_t *>(data), len, sent));
    }
    /** Reads exactly `len` bytes, blocking; `*received` also on ERR_FILE_EOF (sptcp_get_data). */
    [[nodiscard]] Error get_data(void *buf, size_t len, size_t *received = nullptr) noexcept {
        return detail::err(sptcp_get_data(p_, static_cast<uint8_t *>(buf), len, received));
    }
    /** Reads what is there, up to `len`, never blocks (sptcp_get_partial_data). */
    [[nodiscard]] Error get_partial_data(void *buf, size_t len, size_t *received = nullptr) noexcept {
        return detail::err(sptcp_get_partial_data(p_, static_cast<uint8_t *>(buf), len, received));
    }
    /** Bytes readable without blocking; -1 without a socket. */
    int32_t get_available_bytes() const noexcept { return sptcp_get_available_bytes(p_); }
    void set_big_endian(bool enabled) noexcept { sptcp_set_big_endian(p_, enabled); }
    bool is_big_endian_enabled() const noexcept { return sptcp_is_big_endian_enabled(p_); }
    /** Limit for length prefixes of strings and Variants (default 64 MiB). */
    void set_max_message_size(size_t bytes) noexcept { sptcp_set_max_message_size(p_, bytes); }
    size_t get_max_message_size() const noexcept { return sptcp_get_max_message_size(p_); }

    // Typed values (sptcp_put_<T> / sptcp_get_<T>): blocking, in the
    // peer's byte order; a getter writes 0 on failure.
    [[nodiscard]] Error put_8(int8_t v) noexcept { return detail::err(sptcp_put_8(p_, v)); }
    [[nodiscard]] Error get_8(int8_t &out) noexcept { return detail::err(sptcp_get_8(p_, &out)); }
    [[nodiscard]] Error put_u8(uint8_t v) noexcept { return detail::err(sptcp_put_u8(p_, v)); }
    [[nodiscard]] Error get_u8(uint8_t &out) noexcept { return detail::err(sptcp_get_u8(p_, &out)); }
    [[nodiscard]] Error put_16(int16_t v) noexcept { return detail::err(sptcp_put_16(p_, v)); }
    [[nodiscard]] Error get_16(int16_t &out) noexcept { return detail::err(sptcp_get_16(p_, &out)); }
    [[nodiscard]] Error put_u16(uint16_t v) noexcept { return detail::err(sptcp_put_u16(p_, v)); }
    [[nodiscard]] Error get_u16(uint16_t &out) noexcept { return detail::err(sptcp_get_u16(p_, &out)); }
    [[nodiscard]] Error put_32(int32_t v) noexcept { return detail::err(sptcp_put_32(p_, v)); }
    [[nodiscard]] Error get_32(int32_t &out) noexcept { return detail::err(sptcp_get_32(p_, &out)); }
    [[nodiscard]] Error put_u32(uint32_t v) noexcept { return detail::err(sptcp_put_u32(p_, v)); }
    [[nodiscard]] Error get_u32(uint32_t &out) noexcept { return detail::err(sptcp_get_u32(p_, &out)); }
    [[nodiscard]] Error put_64(int64_t v) noexcept { return detail::err(sptcp_put_64(p_, v)); }
    [[nodiscard]] Error get_64(int64_t &out) noexcept { return detail::err(sptcp_get_64(p_, &out)); }
    [[nodiscard]] Error put_u64(uint64_t v) noexcept { return detail::err(sptcp_put_u64(p_, v)); }
    [[nodiscard]] Error get_u64(uint64_t &out) noexcept { return detail::err(sptcp_get_u64(p_, &out)); }
    [[nodiscard]] Error put_half(float v) noexcept { return detail::err(sptcp_put_half(p_, v)); }
    [[nodiscard]] Error get_half(float &out) noexcept { return detail::err(sptcp_get_half(p_, &out)); }
    [[nodiscard]] Error put_float(float v) noexcept { return detail::err(sptcp_put_float(p_, v)); }
    [[nodiscard]] Error get_float(float &out) noexcept { return detail::err(sptcp_get_float(p_, &out)); }
    [[nodiscard]] Error put_double(double v) noexcept { return detail::err(sptcp_put_double(p_, v)); }
    [[nodiscard]] Error get_double(double &out) noexcept { return detail::err(sptcp_get_double(p_, &out)); }

    /** Latin-1 string with a u32 length prefix; non-ASCII becomes ' ' (sptcp_put_string). */
    [[nodiscard]] Error put_string(std::string_view s) {
        return detail::err(sptcp_put_string(p_, std::string(s).c_str()));
    }
    /** UTF-8 string with a u32 byte-length prefix (sptcp_put_utf8_string). */
    [[nodiscard]] Error put_utf8_string(std::string_view s) {
        return detail::err(sptcp_put_utf8_string(p_, std::string(s).c_str()));
    }
    /** Reads `bytes` bytes, or the length prefix when negative; `out` is UTF-8, "" on failure (sptcp_get_string). */
    [[nodiscard]] Error get_string(std::string &out, int32_t bytes = -1) {
        char *s = nullptr;
        size_t len = 0;
        Error e = detail::err(sptcp_get_string(p_, bytes, &s, &len));
        detail::take_string(s, len, out);
        return e;
    }
    /** As get_string, for UTF-8 (sptcp_get_utf8_string). */
    [[nodiscard]] Error get_utf8_string(std::string &out, int32_t bytes = -1) {
        char *s = nullptr;
        size_t len = 0;
        Error e = detail::err(sptcp_get_utf8_string(p_, bytes, &s, &len));
        detail::take_string(s, len, out);
        return e;
    }

    // --- Variants (defined after Variant) ---
    /** Sends a length-prefixed Variant like Godot's put_var (sptcp_put_var). */
    [[nodiscard]] Error put_var(VariantRef v, bool full_objects = false) noexcept;
    /** Receives one; `out` is empty on failure (sptcp_get_var). */
    [[nodiscard]] Error get_var(Variant &out, bool allow_objects = false) noexcept;
    /** Variant wire format: 4 (default) or 3 (sptcp_set_variant_format). */
    [[nodiscard]] Error set_variant_format(int32_t godot_major) noexcept {
        return detail::err(sptcp_set_variant_format(p_, godot_major));
    }
    int32_t get_variant_format() const noexcept { return sptcp_get_variant_format(p_); }

    // --- Waiting (§7) ---
    /** Waits for EVENT_* bits in `interest` (-1 ms: no limit); OK or ERR_TIMEOUT (sptcp_wait). */
    [[nodiscard]] Error wait(uint32_t interest, int32_t timeout_ms, uint32_t *ready = nullptr) noexcept {
        return detail::err(sptcp_wait(p_, interest, timeout_ms, ready));
    }
    /** The OS socket, borrowed (never close it); -1 when none (sptcp_get_socket). */
    int64_t get_socket() const noexcept { return sptcp_get_socket(p_); }

    // --- Connecting and staying connected (§8) ---
    /** Name lookups off the calling thread; poll finishes them (sptcp_set_async_connect). */
    void set_async_connect(bool enabled) noexcept { sptcp_set_async_connect(p_, enabled); }
    bool is_async_connect_enabled() const noexcept { return sptcp_is_async_connect_enabled(p_); }
    void set_happy_eyeballs_delay_ms(uint32_t ms) noexcept { sptcp_set_happy_eyeballs_delay_ms(p_, ms); }
    uint32_t get_happy_eyeballs_delay_ms() const noexcept { return sptcp_get_happy_eyeballs_delay_ms(p_); }
    /** TCP keepalive; 0 = the OS default for a number (sptcp_set_keepalive). */
    [[nodiscard]] Error set_keepalive(bool enabled, uint32_t idle_s = 0, uint32_t interval_s = 0,
                                      uint32_t count = 0) noexcept {
        return detail::err(sptcp_set_keepalive(p_, enabled, idle_s, interval_s, count));
    }
    /** Sends FIN; reads go on (sptcp_shutdown_write). */
    [[nodiscard]] Error shutdown_write() noexcept { return detail::err(sptcp_shutdown_write(p_)); }
    /** The far side closed its side; unread bytes may remain (sptcp_is_peer_closed). */
    bool is_peer_closed() const noexcept { return sptcp_is_peer_closed(p_); }
    uint64_t get_bytes_sent() const noexcept { return sptcp_get_bytes_sent(p_); }
    uint64_t get_bytes_received() const noexcept { return sptcp_get_bytes_received(p_); }
    /** Limit for every blocking call, 0 = none; reaching it is ERR_TIMEOUT (sptcp_set_io_timeout_ms). */
    void set_io_timeout_ms(uint32_t ms) noexcept { sptcp_set_io_timeout_ms(p_, ms); }
    uint32_t get_io_timeout_ms() const noexcept { return sptcp_get_io_timeout_ms(p_); }

    // --- StreamPeerUDS (§9; sptcp_uds_<name>) ---
    [[nodiscard]] Error uds_bind(std::string_view path) {
        return detail::err(sptcp_uds_bind(p_, std::string(path).c_str()));
    }
    [[nodiscard]] Error uds_connect_to_host(std::string_view path) {
        return detail::err(sptcp_uds_connect_to_host(p_, std::string(path).c_str()));
    }
    /** "" without a connection and for a taken peer (sptcp_uds_get_connected_path). */
    std::string uds_get_connected_path() const {
        return detail::snprintf_string([this](char *b, size_t n) { return sptcp_uds_get_connected_path(p_, b, n); });
    }

    // --- StreamPeerTLS (§10; sptcp_tls_<name>) ---
    /**
     * Client side over `stream` (sptcp_tls_connect_to_stream): on OK this
     * TLS peer owns the stream's handle and `stream` is left empty; on
     * failure `stream` keeps it. `options` nullptr = the default roots.
     */
    [[nodiscard]] Error tls_connect_to_stream(Peer &stream, std::string_view common_name,
                                              const TlsOptions *options = nullptr) {
        Error e = detail::err(sptcp_tls_connect_to_stream(p_, stream.get(), std::string(common_name).c_str(),
                                                          options ? options->get() : nullptr));
        if (e == Error::OK) {
            (void)stream.release();
        }
        return e;
    }
    /** Server side over `stream`, ownership as above (sptcp_tls_accept_stream). */
    [[nodiscard]] Error tls_accept_stream(Peer &stream, const TlsOptions &options) {
        Error e = detail::err(sptcp_tls_accept_stream(p_, stream.get(), options.get()));
        if (e == Error::OK) {
            (void)stream.release();
        }
        return e;
    }
    /** Drives the stream's connect, the handshake and the records; never blocks (sptcp_tls_poll). */
    [[nodiscard]] Error tls_poll() noexcept { return detail::err(sptcp_tls_poll(p_)); }
    TlsStatus tls_get_status() const noexcept { return static_cast<TlsStatus>(sptcp_tls_get_status(p_)); }
    /** The stream under it, borrowed: never free it (sptcp_tls_get_stream). */
    sptcp_peer *tls_get_stream() noexcept { return sptcp_tls_get_stream(p_); }
    /** close_notify, then closes the stream (sptcp_tls_disconnect_from_stream). */
    void tls_disconnect_from_stream() noexcept { sptcp_tls_disconnect_from_stream(p_); }

    // --- StreamPeerBuffer (sptcp_buffer_<name>) ---
    int64_t buffer_get_position() const noexcept { return sptcp_buffer_get_position(p_); }
    int64_t buffer_get_size() const noexcept { return sptcp_buffer_get_size(p_); }
    [[nodiscard]] Error buffer_seek(int64_t position) noexcept { return detail::err(sptcp_buffer_seek(p_, position)); }
    /** New bytes are zero (sptcp_buffer_resize). */
    [[nodiscard]] Error buffer_resize(int64_t size) noexcept { return detail::err(sptcp_buffer_resize(p_, size)); }
    [[nodiscard]] Error buffer_clear() noexcept { return detail::err(sptcp_buffer_clear(p_)); }
    /** Copies min(size, len) bytes, returns the full size (sptcp_buffer_get_data_array). */
    size_t buffer_get_data_array(void *buf, size_t len) const noexcept {
        return sptcp_buffer_get_data_array(p_, static_cast<uint8_t *>(buf), len);
    }
    /** All the buffer's bytes, whatever the cursor. */
    std::vector<uint8_t> buffer_get_data_array() const {
        std::vector<uint8_t> v(sptcp_buffer_get_data_array(p_, nullptr, 0));
        v.resize(sptcp_buffer_get_data_array(p_, v.data(), v.size()));
        return v;
    }
    [[nodiscard]] Error buffer_set_data_array(const void *data, size_t len) noexcept {
        return detail::err(sptcp_buffer_set_data_array(p_, static_cast<const uint8_t *>(data), len));
    }
    /** A copy with the cursor at 0 (sptcp_buffer_duplicate). */
    Peer buffer_duplicate() const noexcept { return Peer(sptcp_buffer_duplicate(p_)); }

private:
    sptcp_peer *p_ = nullptr;
};

/** A TCPServer (Server::tcp) or UDSServer (Server::uds); frees with sptcp_server_free. */
class Server {
public:
    Server() noexcept = default;
    /** Adopts a server from the C API. */
    explicit Server(sptcp_server *owned) noexcept : s_(owned) {}
    Server(Server &&o) noexcept : s_(o.release()) {}
    Server &operator=(Server &&o) noexcept {
        if (this != &o) {
            sptcp_server_free(s_);
            s_ = o.release();
        }
        return *this;
    }
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;
    /** Stops and frees (sptcp_server_free). */
    ~Server() { sptcp_server_free(s_); }

    /** A new TCPServer (sptcp_server_new). */
    static Server tcp() noexcept { return Server(sptcp_server_new()); }
    /** A new UDSServer (sptcp_uds_server_new). */
    static Server uds() noexcept { return Server(sptcp_uds_server_new()); }

    explicit operator bool() const noexcept { return s_ != nullptr; }
    sptcp_server *get() const noexcept { return s_; }
    sptcp_server *release() noexcept { return std::exchange(s_, nullptr); }
    void reset() noexcept { sptcp_server_free(std::exchange(s_, nullptr)); }

    /** Port 0 picks a free one (get_local_port); "*" = IPv4 and IPv6 (sptcp_server_listen). */
    [[nodiscard]] Error listen(int32_t port, std::string_view bind_address = "*") {
        return detail::err(sptcp_server_listen(s_, port, std::string(bind_address).c_str()));
    }
    /** A UDSServer listens on a path (sptcp_uds_server_listen). */
    [[nodiscard]] Error uds_listen(std::string_view path) {
        return detail::err(sptcp_uds_server_listen(s_, std::string(path).c_str()));
    }
    bool is_listening() const noexcept { return sptcp_server_is_listening(s_); }
    bool is_connection_available() const noexcept { return sptcp_server_is_connection_available(s_); }
    /** The next connection, CONNECTED at once; an empty Peer when none (sptcp_server_take_connection). */
    Peer take_connection() noexcept { return Peer(sptcp_server_take_connection(s_)); }
    int32_t get_local_port() const noexcept { return sptcp_server_get_local_port(s_); }
    /** Stops listening; a UDS server removes its socket file (sptcp_server_stop). */
    void stop() noexcept { sptcp_server_stop(s_); }
    /** OK when a connection is available, ERR_TIMEOUT otherwise (sptcp_server_wait). */
    [[nodiscard]] Error wait(int32_t timeout_ms) noexcept { return detail::err(sptcp_server_wait(s_, timeout_ms)); }
    /** The listening OS socket, borrowed; -1 when none (sptcp_server_get_socket). */
    int64_t get_socket() const noexcept { return sptcp_server_get_socket(s_); }

private:
    sptcp_server *s_ = nullptr;
};

namespace detail {

/**
 * The read-only half of a Variant, shared by Variant (owned) and VariantRef
 * (borrowed). Copying and assigning are protected, so an owned Variant can
 * never be overwritten through it.
 */
class VariantAccess {
public:
    explicit operator bool() const noexcept { return v_ != nullptr; }
    /** NIL also for an empty value (sptcp_variant_get_type). */
    VariantType get_type() const noexcept { return static_cast<VariantType>(sptcp_variant_get_type(v_)); }
    /** Elements of an ARRAY, DICTIONARY, packed array or full OBJECT; else 0 (sptcp_variant_size). */
    size_t size() const noexcept { return sptcp_variant_size(v_); }

    // Accessors: ERR_INVALID_PARAMETER for another type (no conversions).
    [[nodiscard]] Error get_bool(bool &out) const noexcept { return err(sptcp_variant_get_bool(v_, &out)); }
    [[nodiscard]] Error get_int(int64_t &out) const noexcept { return err(sptcp_variant_get_int(v_, &out)); }
    [[nodiscard]] Error get_float(double &out) const noexcept { return err(sptcp_variant_get_float(v_, &out)); }
    /** STRING, STRING_NAME, NODE_PATH (path syntax) or SIGNAL (its name); "" on failure. */
    [[nodiscard]] Error get_string(std::string &out) const {
        const char *s = nullptr;
        size_t len = 0;
        Error e = err(sptcp_variant_get_string(v_, &s, &len));
        out.assign(s ? s : "", s ? len : 0);
        return e;
    }
    /** The components as sptcp_variant_get_math gives them. */
    [[nodiscard]] Error get_math(double *out, size_t cap, size_t *n = nullptr) const noexcept {
        return err(sptcp_variant_get_math(v_, out, cap, n));
    }
    /** A math value as its struct (Vector2, Color, ...): ERR_INVALID_PARAMETER and T{} for another type. */
    template <class T, class = typename Math<T>::elem> [[nodiscard]] Error get_math(T &out) const noexcept {
        double c[Math<T>::count];
        if (sptcp_variant_get_type(v_) != Math<T>::type) {
            out = T{};
            return Error::ERR_INVALID_PARAMETER;
        }
        Error e = err(sptcp_variant_get_math(v_, c, Math<T>::count, nullptr));
        if (e == Error::OK) {
            math_from_doubles(c, out);
        } else {
            out = T{};
        }
        return e;
    }
    /** RID, OBJECT by id, or a SIGNAL's object (sptcp_variant_get_id). */
    [[nodiscard]] Error get_id(uint64_t &out) const noexcept { return err(sptcp_variant_get_id(v_, &out)); }
    /** A numeric packed array's elements, borrowed in their C layout (sptcp_variant_get_packed). */
    [[nodiscard]] Error get_packed(const void *&data, size_t &count) const noexcept {
        return err(sptcp_variant_get_packed(v_, &data, &count));
    }
    /** A copy of a packed array of uint8_t, int32_t, int64_t, float or double. */
    template <class T, sptcp_variant_type = Packed<T>::type> [[nodiscard]] Error get_packed(std::vector<T> &out) const {
        const void *data = nullptr;
        size_t count = 0;
        out.clear();
        if (sptcp_variant_get_type(v_) != Packed<T>::type) {
            return Error::ERR_INVALID_PARAMETER;
        }
        Error e = err(sptcp_variant_get_packed(v_, &data, &count));
        if (e == Error::OK && count > 0) {
            out.assign(static_cast<const T *>(data), static_cast<const T *>(data) + count);
        }
        return e;
    }
    /** The i-th string of a PACKED_STRING_ARRAY (sptcp_variant_get_packed_string). */
    [[nodiscard]] Error get_packed_string(size_t i, std::string &out) const {
        const char *s = nullptr;
        size_t len = 0;
        Error e = err(sptcp_variant_get_packed_string(v_, i, &s, &len));
        out.assign(s ? s : "", s ? len : 0);
        return e;
    }

    // Containers: borrowed items stay valid until the container changes or is freed.
    /** The i-th item of an ARRAY; empty when out of range (sptcp_variant_array_get). */
    VariantRef array_get(size_t i) const noexcept;
    /** The value under `key` in a DICTIONARY; empty when absent (sptcp_variant_dict_get). */
    VariantRef dict_get(VariantRef key) const noexcept;
    /** The i-th entry in insertion order (sptcp_variant_dict_entry). */
    [[nodiscard]] Error dict_entry(size_t i, VariantRef &key, VariantRef &value) const noexcept;
    /** An ARRAY's item type (NIL: untyped) and class name if any (sptcp_variant_array_get_typed). */
    [[nodiscard]] Error array_get_typed(VariantType &elem, std::string *class_name = nullptr) const {
        int32_t t = 0;
        const char *cls = nullptr;
        Error e = err(sptcp_variant_array_get_typed(v_, &t, &cls));
        elem = static_cast<VariantType>(t);
        if (class_name) {
            class_name->assign(cls ? cls : "");
        }
        return e;
    }
    /** A DICTIONARY's key and value types (sptcp_variant_dict_get_typed). */
    [[nodiscard]] Error dict_get_typed(VariantType &key, VariantType &value, std::string *key_class = nullptr,
                                       std::string *value_class = nullptr) const {
        int32_t k = 0, v = 0;
        const char *kc = nullptr, *vc = nullptr;
        Error e = err(sptcp_variant_dict_get_typed(v_, &k, &v, &kc, &vc));
        key = static_cast<VariantType>(k);
        value = static_cast<VariantType>(v);
        if (key_class) {
            key_class->assign(kc ? kc : "");
        }
        if (value_class) {
            value_class->assign(vc ? vc : "");
        }
        return e;
    }
    /** A full OBJECT's class name (sptcp_variant_object_get_class). */
    [[nodiscard]] Error object_get_class(std::string &out) const {
        const char *s = nullptr;
        size_t len = 0;
        Error e = err(sptcp_variant_object_get_class(v_, &s, &len));
        out.assign(s ? s : "", s ? len : 0);
        return e;
    }
    /** The i-th property of a full OBJECT (sptcp_variant_object_property). */
    [[nodiscard]] Error object_property(size_t i, std::string &name, VariantRef &value) const;

    /** Godot's ==: 1 == 1.0, NaN != NaN, containers by content (sptcp_variant_equal). */
    bool equal(VariantRef other) const noexcept;
    /** A deep copy, owned (sptcp_variant_duplicate). */
    Variant duplicate() const noexcept;

protected:
    VariantAccess() noexcept = default;
    explicit VariantAccess(const sptcp_variant *v) noexcept : v_(v) {}
    VariantAccess(const VariantAccess &) noexcept = default;
    VariantAccess &operator=(const VariantAccess &) noexcept = default;
    ~VariantAccess() = default;

    const sptcp_variant *v_ = nullptr;
};

} // namespace detail

/**
 * A borrowed, read-only view of a value: an item of a container, or any
 * Variant (which converts implicitly). Valid while what it views lives and
 * is not changed; never frees anything.
 */
class VariantRef : public detail::VariantAccess {
public:
    VariantRef() noexcept = default;
    explicit VariantRef(const sptcp_variant *v) noexcept : VariantAccess(v) {}
    VariantRef(const Variant &v) noexcept; // NOLINT: implicit on purpose
    VariantRef(const VariantRef &) noexcept = default;
    VariantRef &operator=(const VariantRef &) noexcept = default;
    const sptcp_variant *get() const noexcept { return v_; }
};

/**
 * One owned Godot value (sptcp_variant). Converts implicitly from bool,
 * integers, double, strings and the math structs; the other kinds and the
 * containers come from the static functions. A constructor given bad input
 * (invalid UTF-8, a *I component outside int32) gives an empty Variant, as
 * the C constructors give NULL.
 */
class Variant : public detail::VariantAccess {
public:
    Variant() noexcept = default;
    /** Adopts a value from the C API. */
    explicit Variant(sptcp_variant *owned) noexcept : VariantAccess(owned) {}
    Variant(Variant &&o) noexcept : VariantAccess(o.release()) {}
    Variant &operator=(Variant &&o) noexcept {
        if (this != &o) {
            sptcp_variant_free(get());
            v_ = o.release();
        }
        return *this;
    }
    Variant(const Variant &) = delete;
    Variant &operator=(const Variant &) = delete;
    /** Frees the value and everything in it (sptcp_variant_free). */
    ~Variant() { sptcp_variant_free(get()); }

    /** BOOL (only a real bool: a pointer does not convert; sptcp_variant_new_bool). */
    template <class B, std::enable_if_t<std::is_same_v<B, bool>, int> = 0>
    Variant(B v) noexcept : VariantAccess(sptcp_variant_new_bool(v)) {}
    /** INT from any integer type (a uint64_t above INT64_MAX wraps; sptcp_variant_new_int). */
    template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
    Variant(I v) noexcept : VariantAccess(sptcp_variant_new_int(static_cast<int64_t>(v))) {}
    /** FLOAT (sptcp_variant_new_float). */
    Variant(double v) noexcept : VariantAccess(sptcp_variant_new_float(v)) {}
    /** STRING from UTF-8 (sptcp_variant_new_string). */
    Variant(std::string_view s) : VariantAccess(sptcp_variant_new_string(std::string(s).c_str())) {}
    Variant(const char *s) noexcept : VariantAccess(sptcp_variant_new_string(s)) {}
    /** A math value: Vector2, Rect2i, Transform3D, Color, ... (sptcp_variant_new_math). */
    template <class T, class = typename detail::Math<T>::elem>
    Variant(const T &m) noexcept : VariantAccess(new_math(m)) {}

    /** NIL (sptcp_variant_new_nil); an empty Variant is no value at all. */
    static Variant nil() noexcept { return Variant(sptcp_variant_new_nil()); }
    static Variant string_name(std::string_view s) {
        return Variant(sptcp_variant_new_string_name(std::string(s).c_str()));
    }
    /** Godot path syntax, "/root/Player:position:x" (sptcp_variant_new_node_path). */
    static Variant node_path(std::string_view path) {
        return Variant(sptcp_variant_new_node_path(std::string(path).c_str()));
    }
    /** Any math type from its components (sptcp_variant_new_math). */
    static Variant math(VariantType type, const double *c, size_t n) noexcept {
        return Variant(sptcp_variant_new_math(static_cast<int32_t>(type), c, n));
    }
    static Variant rid(uint64_t id) noexcept { return Variant(sptcp_variant_new_rid(id)); }
    /** An OBJECT by instance id; 0 is the null object (sptcp_variant_new_object_id). */
    static Variant object_id(uint64_t id) noexcept { return Variant(sptcp_variant_new_object_id(id)); }
    /** A full OBJECT with no properties yet; add them with object_set (sptcp_variant_new_object). */
    static Variant object(std::string_view class_name) {
        return Variant(sptcp_variant_new_object(std::string(class_name).c_str()));
    }
    static Variant callable() noexcept { return Variant(sptcp_variant_new_callable()); }
    static Variant signal(std::string_view name, uint64_t object_id) {
        return Variant(sptcp_variant_new_signal(std::string(name).c_str(), object_id));
    }
    static Variant array() noexcept { return Variant(sptcp_variant_new_array()); }
    static Variant dictionary() noexcept { return Variant(sptcp_variant_new_dictionary()); }
    /** A packed array from elements in C layout (float[2] for PACKED_VECTOR2_ARRAY...; sptcp_variant_new_packed). */
    static Variant packed(VariantType type, const void *data, size_t count) noexcept {
        return Variant(sptcp_variant_new_packed(static_cast<int32_t>(type), data, count));
    }
    /** PACKED_BYTE/INT32/INT64/FLOAT32/FLOAT64_ARRAY from uint8_t/int32_t/int64_t/float/double. */
    template <class T, sptcp_variant_type Type = detail::Packed<T>::type>
    static Variant packed(const T *data, size_t count) noexcept {
        return Variant(sptcp_variant_new_packed(Type, data, count));
    }
    /** PACKED_STRING_ARRAY (sptcp_variant_new_packed_string_array). */
    static Variant packed_string_array(const std::string_view *strs, size_t count) {
        std::vector<std::string> copies(strs, strs + count);
        std::vector<const char *> ptrs;
        ptrs.reserve(count);
        for (const std::string &s : copies) {
            ptrs.push_back(s.c_str());
        }
        return Variant(sptcp_variant_new_packed_string_array(ptrs.data(), count));
    }
    static Variant packed_string_array(std::initializer_list<std::string_view> strs) {
        return packed_string_array(strs.begin(), strs.size());
    }

    sptcp_variant *get() const noexcept { return const_cast<sptcp_variant *>(v_); }
    /** Gives up the value: the caller frees it with sptcp_variant_free. */
    sptcp_variant *release() noexcept { return const_cast<sptcp_variant *>(std::exchange(v_, nullptr)); }
    void reset() noexcept { sptcp_variant_free(const_cast<sptcp_variant *>(std::exchange(v_, nullptr))); }

    // Building containers: each call takes the values it is given (moved
    // in; also when it fails), so arguments are temporaries or std::move.
    /** Appends to an ARRAY (sptcp_variant_array_push). */
    [[nodiscard]] Error array_push(Variant item) noexcept {
        return detail::err(sptcp_variant_array_push(get(), item.release()));
    }
    /** Types an ARRAY's items; NIL makes it untyped (sptcp_variant_array_set_typed). */
    [[nodiscard]] Error array_set_typed(VariantType elem) noexcept {
        return detail::err(sptcp_variant_array_set_typed(get(), static_cast<int32_t>(elem)));
    }
    /** dict[key] = value; a new key goes last (sptcp_variant_dict_set). */
    [[nodiscard]] Error dict_set(Variant key, Variant value) noexcept {
        return detail::err(sptcp_variant_dict_set(get(), key.release(), value.release()));
    }
    /** Types a DICTIONARY's keys and values; NIL leaves a side untyped (sptcp_variant_dict_set_typed). */
    [[nodiscard]] Error dict_set_typed(VariantType key, VariantType value) noexcept {
        return detail::err(
            sptcp_variant_dict_set_typed(get(), static_cast<int32_t>(key), static_cast<int32_t>(value)));
    }
    /** Sets a property of a full OBJECT (sptcp_variant_object_set). */
    [[nodiscard]] Error object_set(std::string_view name, Variant value) {
        return detail::err(sptcp_variant_object_set(get(), std::string(name).c_str(), value.release()));
    }

private:
    template <class T> static sptcp_variant *new_math(const T &m) noexcept {
        double c[detail::Math<T>::count];
        detail::math_to_doubles(m, c);
        return sptcp_variant_new_math(detail::Math<T>::type, c, detail::Math<T>::count);
    }
};

inline VariantRef::VariantRef(const Variant &v) noexcept : VariantAccess(v.get()) {}

namespace detail {
inline VariantRef VariantAccess::array_get(size_t i) const noexcept {
    return VariantRef(sptcp_variant_array_get(v_, i));
}
inline VariantRef VariantAccess::dict_get(VariantRef key) const noexcept {
    return VariantRef(sptcp_variant_dict_get(v_, key.get()));
}
inline Error VariantAccess::dict_entry(size_t i, VariantRef &key, VariantRef &value) const noexcept {
    const sptcp_variant *k = nullptr, *v = nullptr;
    Error e = err(sptcp_variant_dict_entry(v_, i, &k, &v));
    key = VariantRef(k);
    value = VariantRef(v);
    return e;
}
inline Error VariantAccess::object_property(size_t i, std::string &name, VariantRef &value) const {
    const char *n = nullptr;
    const sptcp_variant *v = nullptr;
    Error e = err(sptcp_variant_object_property(v_, i, &n, &v));
    name.assign(n ? n : "");
    value = VariantRef(v);
    return e;
}
inline bool VariantAccess::equal(VariantRef other) const noexcept { return sptcp_variant_equal(v_, other.get()); }
inline Variant VariantAccess::duplicate() const noexcept { return Variant(sptcp_variant_duplicate(v_)); }
} // namespace detail

inline Error Peer::put_var(VariantRef v, bool full_objects) noexcept {
    return detail::err(sptcp_put_var(p_, v.get(), full_objects));
}
inline Error Peer::get_var(Variant &out, bool allow_objects) noexcept {
    sptcp_variant *v = nullptr;
    Error e = detail::err(sptcp_get_var(p_, allow_objects, &v));
    out = Variant(v);
    return e;
}

/** Godot's var_to_bytes (no length prefix); `out` is empty on failure (sptcp_var_to_bytes). */
[[nodiscard]] inline Error var_to_bytes(VariantRef v, std::vector<uint8_t> &out, int32_t godot_major = 4,
                                        bool full_objects = false) {
    uint8_t *bytes = nullptr;
    size_t len = 0;
    Error e = detail::err(sptcp_var_to_bytes(v.get(), godot_major, full_objects, &bytes, &len));
    if (bytes) {
        out.assign(bytes, bytes + len);
    } else {
        out.clear();
    }
    sptcp_bytes_free(bytes);
    return e;
}

/** Godot's bytes_to_var; `*used` gets the bytes it took (sptcp_bytes_to_var). */
[[nodiscard]] inline Error bytes_to_var(const void *data, size_t len, Variant &out, int32_t godot_major = 4,
                                        bool allow_objects = false, size_t *used = nullptr) noexcept {
    sptcp_variant *v = nullptr;
    Error e = detail::err(
        sptcp_bytes_to_var(static_cast<const uint8_t *>(data), len, godot_major, allow_objects, &v, used));
    out = Variant(v);
    return e;
}

/**
 * A poll group (§7): many peers and servers, one wait. Members are not
 * owned: a freed member leaves the group, and freeing the group leaves the
 * members alive. Level-triggered; a member is in one group at most.
 */
class Group {
public:
    Group() noexcept = default;
    explicit Group(sptcp_group *owned) noexcept : g_(owned) {}
    Group(Group &&o) noexcept : g_(o.release()) {}
    Group &operator=(Group &&o) noexcept {
        if (this != &o) {
            sptcp_group_free(g_);
            g_ = o.release();
        }
        return *this;
    }
    Group(const Group &) = delete;
    Group &operator=(const Group &) = delete;
    /** The members leave the group and stay alive (sptcp_group_free). */
    ~Group() { sptcp_group_free(g_); }

    /** A new, empty group (sptcp_group_new). */
    static Group create() noexcept { return Group(sptcp_group_new()); }

    explicit operator bool() const noexcept { return g_ != nullptr; }
    sptcp_group *get() const noexcept { return g_; }
    sptcp_group *release() noexcept { return std::exchange(g_, nullptr); }
    void reset() noexcept { sptcp_group_free(std::exchange(g_, nullptr)); }

    /**
     * Watches `peer` for EVENT_* bits in `interest`; its events carry
     * `user_data` (sptcp_group_add_peer). Membership follows the C handle,
     * so a moved Peer stays a member; a `user_data` that points at the Peer
     * object itself goes stale when that object moves (keep such Peers in
     * storage that does not move, as examples/cxx_echo_server.cpp does).
     */
    [[nodiscard]] Error add_peer(Peer &peer, uint32_t interest, void *user_data = nullptr) noexcept {
        return detail::err(sptcp_group_add_peer(g_, peer.get(), interest, user_data));
    }
    /** Watches a server for EVENT_ACCEPTABLE (sptcp_group_add_server). */
    [[nodiscard]] Error add_server(Server &server, void *user_data = nullptr) noexcept {
        return detail::err(sptcp_group_add_server(g_, server.get(), user_data));
    }
    [[nodiscard]] Error set_interest(Peer &peer, uint32_t interest) noexcept {
        return detail::err(sptcp_group_set_interest(g_, peer.get(), interest));
    }
    [[nodiscard]] Error remove_peer(Peer &peer) noexcept { return detail::err(sptcp_group_remove_peer(g_, peer.get())); }
    [[nodiscard]] Error remove_server(Server &server) noexcept {
        return detail::err(sptcp_group_remove_server(g_, server.get()));
    }
    size_t size() const noexcept { return sptcp_group_size(g_); }
    /**
     * Waits until a member is ready or `timeout_ms` passes (-1: no limit,
     * 0: just look); `n` gets how many events were written (0 after a
     * timeout, which is still OK) (sptcp_group_wait).
     */
    [[nodiscard]] Error wait(int32_t timeout_ms, Event *events, size_t cap, size_t &n) noexcept {
        return detail::err(sptcp_group_wait(g_, timeout_ms, events, cap, &n));
    }
    template <size_t N> [[nodiscard]] Error wait(int32_t timeout_ms, Event (&events)[N], size_t &n) noexcept {
        return wait(timeout_ms, events, N, n);
    }
    /** A descriptor readable when a member may be ready, for outer event loops; borrowed (sptcp_group_get_fd). */
    int64_t get_fd() const noexcept { return sptcp_group_get_fd(g_); }

private:
    sptcp_group *g_ = nullptr;
};

} // namespace sptcp

#pragma pop_macro("ERROR")

#endif // STREAMPEER_TCP_HPP
