"""Godot's numbers: Error, StreamPeerTCP.Status, StreamPeerTLS.Status
(TLSStatus) and Variant.Type; and the library's readiness bits (Event)."""

from enum import IntEnum, IntFlag


class Error(IntEnum):
    """Godot's Error codes, with Godot's numbers (OK is 0)."""

    OK = 0
    FAILED = 1
    ERR_UNAVAILABLE = 2
    ERR_UNCONFIGURED = 3
    ERR_UNAUTHORIZED = 4
    ERR_PARAMETER_RANGE_ERROR = 5
    ERR_OUT_OF_MEMORY = 6
    ERR_FILE_NOT_FOUND = 7
    ERR_FILE_BAD_DRIVE = 8
    ERR_FILE_BAD_PATH = 9
    ERR_FILE_NO_PERMISSION = 10
    ERR_FILE_ALREADY_IN_USE = 11
    ERR_FILE_CANT_OPEN = 12
    ERR_FILE_CANT_WRITE = 13
    ERR_FILE_CANT_READ = 14
    ERR_FILE_UNRECOGNIZED = 15
    ERR_FILE_CORRUPT = 16
    ERR_FILE_MISSING_DEPENDENCIES = 17
    ERR_FILE_EOF = 18
    ERR_CANT_OPEN = 19
    ERR_CANT_CREATE = 20
    ERR_QUERY_FAILED = 21
    ERR_ALREADY_IN_USE = 22
    ERR_LOCKED = 23
    ERR_TIMEOUT = 24
    ERR_CANT_CONNECT = 25
    ERR_CANT_RESOLVE = 26
    ERR_CONNECTION_ERROR = 27
    ERR_CANT_ACQUIRE_RESOURCE = 28
    ERR_CANT_FORK = 29
    ERR_INVALID_DATA = 30
    ERR_INVALID_PARAMETER = 31
    ERR_ALREADY_EXISTS = 32
    ERR_DOES_NOT_EXIST = 33
    ERR_DATABASE_CANT_READ = 34
    ERR_DATABASE_CANT_WRITE = 35
    ERR_COMPILATION_FAILED = 36
    ERR_METHOD_NOT_FOUND = 37
    ERR_LINK_FAILED = 38
    ERR_SCRIPT_FAILED = 39
    ERR_CYCLIC_LINK = 40
    ERR_INVALID_DECLARATION = 41
    ERR_DUPLICATE_SYMBOL = 42
    ERR_PARSE_ERROR = 43
    ERR_BUSY = 44
    ERR_SKIP = 45
    ERR_HELP = 46
    ERR_BUG = 47
    ERR_PRINTER_ON_FIRE = 48


class Status(IntEnum):
    """StreamPeerTCP.Status."""

    STATUS_NONE = 0
    STATUS_CONNECTING = 1
    STATUS_CONNECTED = 2
    STATUS_ERROR = 3


class TLSStatus(IntEnum):
    """StreamPeerTLS.Status (the library's `sptcp_tls_status`)."""

    STATUS_DISCONNECTED = 0
    """No stream, or the connection was closed (by either side, with
    close_notify: after the far side's, once the buffered bytes are read)."""
    STATUS_HANDSHAKING = 1
    """The handshake is under way (or the stream is still connecting)."""
    STATUS_CONNECTED = 2
    """The handshake is done: the data calls work."""
    STATUS_ERROR = 3
    """The handshake or the connection failed (a certificate that does not
    verify, the stream ending without close_notify); the reason was in
    last_error_message() after the call that found it."""
    STATUS_ERROR_HOSTNAME_MISMATCH = 4
    """The server's certificate is not for the name asked for."""


class VariantType(IntEnum):
    """Variant.Type, with Godot 4's numbers."""

    NIL = 0
    BOOL = 1
    INT = 2
    FLOAT = 3
    STRING = 4
    VECTOR2 = 5
    VECTOR2I = 6
    RECT2 = 7
    RECT2I = 8
    VECTOR3 = 9
    VECTOR3I = 10
    TRANSFORM2D = 11
    VECTOR4 = 12
    VECTOR4I = 13
    PLANE = 14
    QUATERNION = 15
    AABB = 16
    BASIS = 17
    TRANSFORM3D = 18
    PROJECTION = 19
    COLOR = 20
    STRING_NAME = 21
    NODE_PATH = 22
    RID = 23
    OBJECT = 24
    CALLABLE = 25
    SIGNAL = 26
    DICTIONARY = 27
    ARRAY = 28
    PACKED_BYTE_ARRAY = 29
    PACKED_INT32_ARRAY = 30
    PACKED_INT64_ARRAY = 31
    PACKED_FLOAT32_ARRAY = 32
    PACKED_FLOAT64_ARRAY = 33
    PACKED_STRING_ARRAY = 34
    PACKED_VECTOR2_ARRAY = 35
    PACKED_VECTOR3_ARRAY = 36
    PACKED_COLOR_ARRAY = 37
    PACKED_VECTOR4_ARRAY = 38


class Event(IntFlag):
    """Readiness bits (the library's `SPTCP_EVENT_*`), for StreamPeer.wait,
    SocketServer.wait and PollGroup. HANGUP and ERROR are reported whether
    or not they were asked for."""

    NONE = 0
    READABLE = 1
    """get_partial_data would give bytes now (bytes the library has
    buffered count), or the end of the stream or a reset is pending."""
    WRITABLE = 2
    """put_partial_data would take bytes now; for a CONNECTING peer, the
    connect attempt finished either way (call poll())."""
    HANGUP = 4
    """The far side closed its side (FIN); unread bytes may remain."""
    ERROR = 8
    """A socket error is pending (reset, refused)."""
    ACCEPTABLE = 16
    """A server has a connection to take."""
