"""StreamPeer, StreamPeerSocket (StreamPeerTCP, StreamPeerUDS) and
StreamPeerBuffer."""

from __future__ import annotations

import ctypes
import os
import sys
from ctypes import (
    c_bool,
    c_double,
    c_float,
    c_int8,
    c_int16,
    c_int32,
    c_int64,
    c_size_t,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any, TypeVar, Union

from ._native import GodotError, check, last_error_message, lib, to_error
from .enums import Error, Event, Status
from .variant import from_handle, to_handle

_TYPED = {
    "8": c_int8, "u8": c_uint8, "16": c_int16, "u16": c_uint16, "32": c_int32, "u32": c_uint32,
    "64": c_int64, "u64": c_uint64, "half": c_float, "float": c_float, "double": c_double,
}


_U8P = ctypes.POINTER(c_uint8)


def _in(data: bytes | bytearray | memoryview) -> tuple[Any, int]:
    """A pointer to the bytes of `data` for C, without copying bytes."""
    if isinstance(data, bytes):
        return (ctypes.cast(ctypes.c_char_p(data), _U8P) if data else None), len(data)
    view = memoryview(data)
    if not view.readonly and view.contiguous:
        n = view.nbytes
        return ((c_uint8 * n).from_buffer(view) if n else None), n
    return _in(bytes(view))


# The hot calls below read `_handle` directly when the peer is plainly
# usable (not freed, not taken by a StreamPeerTLS) and fall back to the
# `handle` property, which raises or detaches, otherwise.
_OK = Error.OK


# The bulk data calls go without argtypes: ctypes then converts nothing
# through Python (a typed call runs each argument through its type's
# from_param, which costs more than the rest of such a call's Python
# side). Only arguments of these kinds go to them: bytes objects (passed
# as their own buffer), None (NULL) and the argument objects a type's
# from_param or byref makes (passed as the value they hold, with nothing
# made per call). A Python int would go as a C int, so lengths go as
# c_size_t arguments from _size.
_put_data_untyped = lib["sptcp_put_data"]
_put_data_untyped.restype = c_int32
_get_data_untyped = lib["sptcp_get_data"]
_get_data_untyped.restype = c_int32

# One c_size_t argument per length, never changed (so any thread may pass
# it): bulk transfers use a few lengths again and again, and a dictionary
# lookup costs less than a new object. Lengths above _UNTYPED_MAX take the
# typed calls (c_size_t would wrap them).
_SIZES: dict[int, Any] = {}
_SIZES_KEPT = 256
_UNTYPED_MAX = sys.maxsize


def _size(n: int) -> Any:
    """The c_size_t argument for a length `n` (0 <= n <= _UNTYPED_MAX) not
    in _SIZES: the calls look there first (`_SIZES.get(n) or _size(n)`),
    so a kept length costs no Python call."""
    box = c_size_t.from_param(n)
    if len(_SIZES) < _SIZES_KEPT:
        _SIZES[n] = box
    return box


# Large reads go straight into a new bytes object, the way C extensions
# fill one (PyBytes_FromStringAndSize(NULL, n) makes an object nobody else
# has seen yet; the C API allows filling it before it is shared; ctypes
# passes a bytes object as its own buffer), saving a copy of every byte.
# CPython only; elsewhere reads take the copying path (_DIRECT_READ is then
# beyond every length the direct path takes). Untyped, as above.
try:
    _bytes_new = ctypes.pythonapi["PyBytes_FromStringAndSize"]
    _bytes_new.restype = ctypes.py_object
    _DIRECT_READ = 2048
except (AttributeError, OSError):  # not CPython
    _bytes_new = None
    _DIRECT_READ = _UNTYPED_MAX + 1


def _timeout(ms: int) -> int:
    """A timeout in ms for C's int32: huge values are clamped (values below
    -1 stay below -1, which C refuses)."""
    return max(-(2**31), min(int(ms), 2**31 - 1))


def _leave_group(member: Any) -> None:
    """Takes a member out of its PollGroup's bookkeeping (the library takes
    it out of the native group when it is freed)."""
    ref = member._group
    if ref is not None:
        member._group = None
        group = ref[0]()
        if group is not None:
            group._forget(ref[1])


PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
"""A Unix domain socket path: `str`, `bytes` or `os.PathLike`."""


def _path(path: PathArg) -> bytes | None:
    """`path` as the UTF-8 bytes C takes, or None when it holds a NUL byte
    (C would silently cut it there). Raises TypeError for a non-path."""
    p = os.fspath(path)
    b = p if isinstance(p, bytes) else p.encode("utf-8", "surrogatepass")
    return None if b"\0" in b else b


class StreamPeer:
    """Godot's StreamPeer: raw data, typed values, strings and Variants.

    Data methods return an `Error` (like Godot) or `(Error, data)` (like
    Godot's script API). Typed and string readers return the value and
    raise `GodotError` when the read fails (Godot would return garbage);
    typed writers return the `Error` (Godot drops it)."""

    _handle: int | None = None

    def __init__(self, handle: int):
        if not handle:
            raise MemoryError(f"could not create a peer: {last_error_message()}")
        self._handle = handle
        self._hv = c_void_p.from_param(handle)
        self._got = c_size_t()
        self._gotp = ctypes.byref(self._got)

    # The handle as a ctypes argument, for the untyped calls; None whenever
    # the handle must not be used directly (freed, or taken by a
    # StreamPeerTLS: see `handle`), so that such a call gives C a NULL peer,
    # which does nothing but fail, and the method takes the checked way.
    _hv: Any = None

    # Lifetime -------------------------------------------------------------

    # Set by PollGroup while the peer is a member: (weakref to the group, id).
    _group: Any = None

    # Set while a StreamPeerTLS holds this peer as its stream (the native
    # peer is the TLS peer's then): a weakref to it (see StreamPeerTLS).
    _owner: Any = None
    # Why the object cannot be used any more, for the ValueError.
    _gone = "was freed"

    def free(self) -> None:
        """Releases the native peer (a socket peer disconnects first). The
        object cannot be used afterwards. Called by the garbage collector.
        A peer in a PollGroup leaves it. A peer a StreamPeerTLS has taken as
        its stream is freed with the TLS peer: free() does nothing to it
        meanwhile."""
        if self._owner is not None:
            if lib is not None and self._taken():
                return
            self._detach()
            return
        _leave_group(self)
        self._hv = None
        h, self._handle = self._handle, None
        # At interpreter exit the module may already be torn down.
        if h and lib is not None:
            lib.sptcp_peer_free(h)
        self._forget_stream()

    def __del__(self) -> None:
        self.free()

    @property
    def handle(self) -> int:
        if self._owner is not None and not self._taken():
            self._detach()
        if not self._handle:
            raise ValueError(f"{type(self).__name__} {self._gone}")
        return self._handle

    def _taken(self) -> bool:
        """Whether the StreamPeerTLS that took this peer still holds it."""
        owner = self._owner()
        return owner is not None and owner._holds(self)

    def _detach(self) -> None:
        """The native peer was freed by the StreamPeerTLS that took it (with
        it, at its disconnect, or when it took another stream): this object
        cannot be used any more."""
        _leave_group(self)
        self._owner = None
        self._hv = None
        self._handle = None
        self._gone = "was freed with the StreamPeerTLS that took it"
        self._forget_stream()

    def _forget_stream(self) -> None:
        """Hook for StreamPeerTLS: its native stream went with it."""

    def _usable(self) -> bool:
        """Whether the handle may be used (without raising)."""
        try:
            self.handle
        except ValueError:
            return False
        return True

    # Readiness ------------------------------------------------------------

    def wait(self, interest: int = Event.READABLE, timeout_ms: int = -1) -> tuple[Error, Event]:
        """Waits until the peer is ready for `interest` (Event.READABLE,
        Event.WRITABLE or both) or `timeout_ms` passes (-1: no limit, 0:
        just look): (Error, the Event bits that hold). HANGUP and ERROR are
        reported whether or not asked for; bytes the library has buffered
        count as READABLE at once. Nothing is read and the status does not
        change (call poll()). OK when something holds; ERR_TIMEOUT when
        nothing did in time; ERR_UNAVAILABLE for a peer without a socket;
        ERR_INVALID_PARAMETER for a timeout below -1. A buffer never waits
        (OK when it is ready, ERR_TIMEOUT otherwise). The GIL is released
        while waiting."""
        ready = c_uint32()
        err = lib.sptcp_wait(self.handle, int(interest) & 0xFFFFFFFF, _timeout(timeout_ms), ctypes.byref(ready))
        return to_error(err), Event(ready.value)

    def get_socket(self) -> int:
        """The OS socket (a descriptor; a SOCKET on Windows) to wait on in
        another event loop, or -1 when there is none (a buffer, not
        connected). Borrowed: never close, read or write it. Bytes the
        library has already buffered are not visible on it: read until
        get_available_bytes() is 0 before waiting on it."""
        return lib.sptcp_get_socket(self.handle)

    # Raw data -------------------------------------------------------------

    def put_data(self, data: bytes) -> Error:
        """Sends all of `data`, waiting as long as it takes (as Godot; a
        socket peer's io_timeout_ms can limit the wait: ERR_TIMEOUT)."""
        if type(data) is bytes:
            code = _put_data_untyped(self._hv, data, _SIZES.get(len(data)) or _size(len(data)))
            if not code:
                return _OK
            if self._hv is not None:
                return to_error(code)
            # A NULL peer (nothing was sent): the checked way below.
        h = self.handle
        buf, n = _in(data)
        return to_error(lib.sptcp_put_data(h, buf, n))

    def put_partial_data(self, data: bytes) -> tuple[Error, int]:
        """Sends what can be sent now: (Error, bytes sent)."""
        buf, n = _in(data)
        sent = c_size_t()
        err = lib.sptcp_put_partial_data(self.handle, buf, n, ctypes.byref(sent))
        return to_error(err), sent.value

    def _scratch(self, nbytes: int) -> Any:
        """A reusable receive buffer of at least `nbytes` (a handle is used
        by one thread at a time, so one buffer per peer is enough)."""
        buf = getattr(self, "_buf", None)
        if buf is None or len(buf) < nbytes:
            buf = self._buf = (c_uint8 * max(nbytes, 4096))()
        return buf

    def get_data(self, nbytes: int) -> tuple[Error, bytes]:
        """Reads exactly `nbytes`, waiting as long as it takes (a socket
        peer's io_timeout_ms can limit the wait: ERR_TIMEOUT): (Error,
        bytes). On an error the bytes that did arrive are returned."""
        hv = self._hv
        if hv is not None and _DIRECT_READ <= nbytes <= _UNTYPED_MAX:
            size = _SIZES.get(nbytes) or _size(nbytes)
            out = _bytes_new(None, size)
            code = _get_data_untyped(hv, out, size, self._gotp)
            if not code:  # OK: every byte asked for is there
                return _OK, out
            n = self._got.value
            return to_error(code), (out if n == nbytes else out[:n])
        if nbytes < 0:
            return Error.ERR_OUT_OF_MEMORY, b""  # Godot's script API
        h = self._handle
        if not h or self._owner is not None:
            h = self.handle
        buf = self._scratch(nbytes)
        code = lib.sptcp_get_data(h, buf, nbytes, self._got)
        return (_OK if not code else to_error(code)), ctypes.string_at(buf, self._got.value)

    def get_partial_data(self, nbytes: int) -> tuple[Error, bytes]:
        """Reads what has arrived, up to `nbytes`: (Error, bytes)."""
        if nbytes < 0:
            return Error.ERR_OUT_OF_MEMORY, b""
        buf = self._scratch(nbytes)
        got = c_size_t()
        err = lib.sptcp_get_partial_data(self.handle, buf, nbytes, ctypes.byref(got))
        return to_error(err), (ctypes.string_at(buf, got.value) if err == Error.OK else b"")

    def get_available_bytes(self) -> int:
        """Bytes that can be read without waiting (-1 without a socket)."""
        return lib.sptcp_get_available_bytes(self.handle)

    # Settings -------------------------------------------------------------

    @property
    def big_endian(self) -> bool:
        """Byte order of typed values and length prefixes (default False)."""
        return lib.sptcp_is_big_endian_enabled(self.handle)

    @big_endian.setter
    def big_endian(self, enabled: bool) -> None:
        lib.sptcp_set_big_endian(self.handle, enabled)

    def set_big_endian(self, enabled: bool) -> None:
        self.big_endian = enabled

    def is_big_endian_enabled(self) -> bool:
        return self.big_endian

    @property
    def max_message_size(self) -> int:
        """Largest length prefix accepted by get_string / get_var (64 MiB)."""
        return lib.sptcp_get_max_message_size(self.handle)

    @max_message_size.setter
    def max_message_size(self, nbytes: int) -> None:
        lib.sptcp_set_max_message_size(self.handle, nbytes)

    @property
    def variant_format(self) -> int:
        """Godot version of the put_var / get_var format: 4 (default) or 3."""
        return lib.sptcp_get_variant_format(self.handle)

    @variant_format.setter
    def variant_format(self, godot_major: int) -> None:
        check(lib.sptcp_set_variant_format(self.handle, godot_major))

    # Typed values ---------------------------------------------------------
    # Made by _typed_put / _typed_get below (each looks up nothing per call).

    # Strings --------------------------------------------------------------

    def put_string(self, value: str) -> Error:
        """Godot's put_string: u32 length, one byte per character
        (non-ASCII becomes a space)."""
        return to_error(lib.sptcp_put_string(self.handle, value.encode("utf-8", "surrogatepass")))

    def put_utf8_string(self, value: str) -> Error:
        """Godot's put_utf8_string: u32 byte length, then UTF-8."""
        return to_error(lib.sptcp_put_utf8_string(self.handle, value.encode("utf-8", "surrogatepass")))

    def _get_text(self, fn: Any, nbytes: int) -> str:
        out, n = c_void_p(), c_size_t()
        check(fn(self.handle, nbytes, ctypes.byref(out), ctypes.byref(n)))
        try:
            return ctypes.string_at(out.value, n.value).decode("utf-8", "surrogatepass")
        finally:
            lib.sptcp_string_free(out)

    def get_string(self, nbytes: int = -1) -> str:
        """Godot's get_string (Latin-1); nbytes=-1 reads the length prefix."""
        return self._get_text(lib.sptcp_get_string, nbytes)

    def get_utf8_string(self, nbytes: int = -1) -> str:
        """Godot's get_utf8_string; nbytes=-1 reads the length prefix."""
        return self._get_text(lib.sptcp_get_utf8_string, nbytes)

    # Variants -------------------------------------------------------------

    def put_var(self, value: Any, full_objects: bool = False) -> Error:
        """Godot's put_var. Raises TypeError / OverflowError / ValueError for
        Python values Godot cannot hold (nothing is sent then)."""
        peer = self._handle
        if not peer or self._owner is not None:
            peer = self.handle
        h = to_handle(value)
        try:
            code = lib.sptcp_put_var(peer, h, full_objects)
        finally:
            lib.sptcp_variant_free(h)
        return _OK if not code else to_error(code)

    def get_var(self, allow_objects: bool = False) -> Any:
        """Godot's get_var: the next Variant as a Python value. Raises
        GodotError when reading or decoding fails."""
        peer = self._handle
        if not peer or self._owner is not None:
            peer = self.handle
        out = c_void_p()
        check(lib.sptcp_get_var(peer, allow_objects, out))
        try:
            return from_handle(out.value)
        finally:
            lib.sptcp_variant_free(out)


def _typed_put(kind: str, py: type, doc: str) -> Any:
    """StreamPeer.put_<kind>: the C function and its result looked up once."""
    fn = getattr(lib, "sptcp_put_" + kind)

    def put(self: StreamPeer, value: Any) -> Error:
        h = self._handle
        if not h or self._owner is not None:
            h = self.handle
        code = fn(h, value)
        return _OK if not code else to_error(code)

    put.__name__ = "put_" + kind
    put.__qualname__ = "StreamPeer.put_" + kind
    put.__doc__ = doc
    put.__annotations__ = {"value": py.__name__, "return": "Error"}
    return put


def _typed_get(kind: str, ctype: Any, py: type, doc: str) -> Any:
    """StreamPeer.get_<kind>: raises GodotError when the read fails."""
    fn = getattr(lib, "sptcp_get_" + kind)

    def get(self: StreamPeer) -> Any:
        h = self._handle
        if not h or self._owner is not None:
            h = self.handle
        out = ctype()
        code = fn(h, out)  # ctypes passes it by reference (its fastest way)
        if code:
            raise GodotError(code, last_error_message())
        return out.value

    get.__name__ = "get_" + kind
    get.__qualname__ = "StreamPeer.get_" + kind
    get.__doc__ = doc
    get.__annotations__ = {"return": py.__name__}
    return get


_TYPED_DOCS = {
    "8": ("a signed 8-bit integer", int), "u8": ("an unsigned 8-bit integer", int),
    "16": ("a signed 16-bit integer", int), "u16": ("an unsigned 16-bit integer", int),
    "32": ("a signed 32-bit integer", int), "u32": ("an unsigned 32-bit integer", int),
    "64": ("a signed 64-bit integer", int), "u64": ("an unsigned 64-bit integer", int),
    "half": ("a half-precision float (put: truncated like Godot's put_half)", float),
    "float": ("a single-precision float", float), "double": ("a double-precision float", float),
}
for _kind, (_what, _py) in _TYPED_DOCS.items():
    setattr(StreamPeer, "put_" + _kind, _typed_put(_kind, _py, f"Sends {_what} in the peer's byte order; returns the Error."))
    setattr(StreamPeer, "get_" + _kind, _typed_get(
        _kind, _TYPED[_kind], _py,
        f"Reads {_what} in the peer's byte order (waits for it, like Godot); raises GodotError when the read fails."))
del _kind, _what, _py


_S = TypeVar("_S", bound="StreamPeerSocket")


class StreamPeerSocket(StreamPeer):
    """What StreamPeerTCP and StreamPeerUDS share (Godot master's
    StreamPeerSocket): the status machine and the connect timeout, and
    beyond Godot the half-close, the byte counters and the I/O timeout.
    Not made directly. Non-blocking: call poll() (each frame or loop) to see a
    connect finish or the other side close. Use a peer from one thread at
    a time; different peers may be used on different threads. As a context
    manager it disconnects on exit."""

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._usable():
            self.disconnect_from_host()

    def disconnect_from_host(self) -> None:
        lib.sptcp_disconnect_from_host(self.handle)

    def poll(self) -> Error:
        return to_error(lib.sptcp_poll(self.handle))

    def get_status(self) -> Status:
        return Status(lib.sptcp_get_status(self.handle))

    @property
    def connect_timeout_ms(self) -> int:
        """How long a connect may take before poll() gives up (30000)."""
        return lib.sptcp_get_connect_timeout_ms(self.handle)

    @connect_timeout_ms.setter
    def connect_timeout_ms(self, ms: int) -> None:
        lib.sptcp_set_connect_timeout_ms(self.handle, ms)

    # Staying connected (beyond Godot) --------------------------------------

    def shutdown_write(self) -> Error:
        """Half-closes the connection (sends FIN): the other side reads
        every byte already written, then the end of the stream. Reading
        goes on and the status stays CONNECTED; later writes give
        ERR_UNAVAILABLE. FAILED when not connected."""
        return to_error(lib.sptcp_shutdown_write(self.handle))

    def is_peer_closed(self) -> bool:
        """True once the far side has closed its side (seen by poll(),
        wait() or a read), even while bytes it sent are still unread.
        False again after a new connect."""
        return lib.sptcp_is_peer_closed(self.handle)

    def get_bytes_sent(self) -> int:
        """Bytes handed to the connection since it was connected (typed
        values, strings and Variants count every byte, length prefixes
        included); 0 again at each connect."""
        return lib.sptcp_get_bytes_sent(self.handle)

    def get_bytes_received(self) -> int:
        """Bytes delivered from the connection since it was connected
        (read by any call); 0 again at each connect."""
        return lib.sptcp_get_bytes_received(self.handle)

    @property
    def io_timeout_ms(self) -> int:
        """A limit for each blocking call (get_data, put_data, typed
        values, strings, Variants); 0 (the default, as Godot): none. A
        call that reaches it gives ERR_TIMEOUT and leaves the status as it
        was: get_data returns the bytes that did arrive, the typed, string
        and Variant readers raise GodotError and consume nothing (the
        stream stays in step, a later call reads the whole value)."""
        return lib.sptcp_get_io_timeout_ms(self.handle)

    @io_timeout_ms.setter
    def io_timeout_ms(self, ms: int) -> None:
        lib.sptcp_set_io_timeout_ms(self.handle, ms)


class StreamPeerTCP(StreamPeerSocket):
    """Godot's StreamPeerTCP. Non-blocking: call poll() (each frame or
    loop) to see a connect finish or the other side close. Use it from one
    thread at a time; different peers may be used on different threads.
    As a context manager it disconnects on exit."""

    def __init__(self, _handle: int | None = None):
        super().__init__(_handle or lib.sptcp_peer_new())

    def __repr__(self) -> str:
        if not self._usable():
            return "<StreamPeerTCP freed>"
        status = self.get_status().name
        if self.get_status() in (Status.STATUS_CONNECTING, Status.STATUS_CONNECTED):
            return f"<StreamPeerTCP {status} {self.get_connected_host()}:{self.get_connected_port()}>"
        return f"<StreamPeerTCP {status}>"

    def bind(self, port: int, host: str = "*") -> Error:
        return to_error(lib.sptcp_bind(self.handle, port, host.encode()))

    def connect_to_host(self, host: str, port: int) -> Error:
        """Starts connecting (the name lookup blocks unless async_connect
        is on; the connect does not)."""
        return to_error(lib.sptcp_connect_to_host(self.handle, host.encode("utf-8", "surrogatepass"), port))

    def get_connected_host(self) -> str:
        buf = ctypes.create_string_buffer(64)
        lib.sptcp_get_connected_host(self.handle, buf, 64)
        return buf.value.decode()

    def get_connected_port(self) -> int:
        return lib.sptcp_get_connected_port(self.handle)

    def get_local_port(self) -> int:
        return lib.sptcp_get_local_port(self.handle)

    def set_no_delay(self, enabled: bool) -> None:
        lib.sptcp_set_no_delay(self.handle, enabled)

    # Connecting and staying connected (beyond Godot) -----------------------

    @property
    def async_connect(self) -> bool:
        """Whether connect_to_host looks a host name up in the background
        (default False, as Godot). When on, connect_to_host returns OK at
        once with the status CONNECTING (after its status and port
        checks) and poll() never blocks; a name that does not resolve
        makes poll() return ERR_CANT_RESOLVE, with the status ERROR. IP
        literals connect as without it. Read at the next connect."""
        return lib.sptcp_is_async_connect_enabled(self.handle)

    @async_connect.setter
    def async_connect(self, enabled: bool) -> None:
        lib.sptcp_set_async_connect(self.handle, enabled)

    @property
    def happy_eyeballs_delay_ms(self) -> int:
        """Happy Eyeballs (RFC 8305) for a name with several addresses:
        attempts alternate address families, a new one every this many ms
        while the earlier ones are pending (default 250); the first to
        connect wins. The connect timeout covers the lookup and every
        attempt."""
        return lib.sptcp_get_happy_eyeballs_delay_ms(self.handle)

    @happy_eyeballs_delay_ms.setter
    def happy_eyeballs_delay_ms(self, ms: int) -> None:
        lib.sptcp_set_happy_eyeballs_delay_ms(self.handle, ms)

    def set_keepalive(self, enabled: bool, idle_s: int = 0, interval_s: int = 0, count: int = 0) -> Error:
        """TCP keepalive: after `idle_s` seconds without traffic, a probe
        every `interval_s` seconds, `count` unanswered probes end the
        connection (poll() then finds it in ERROR); 0 for a number: the
        OS default. Remembered across reconnects and applied whenever the
        peer has a socket, so it may be set before connecting.
        ERR_INVALID_PARAMETER for `idle_s` / `interval_s` above 32767 or
        `count` above 127; FAILED when the system refuses it."""
        return to_error(lib.sptcp_set_keepalive(self.handle, enabled, idle_s, interval_s, count))


class StreamPeerUDS(StreamPeerSocket):
    """Godot master's StreamPeerUDS: a Unix domain socket stream, with the
    same data, typed, string and Variant calls as StreamPeerTCP.
    Non-blocking: call poll() to see a connect finish or the other side
    close. Use it from one thread at a time; different peers may be used on
    different threads. As a context manager it disconnects on exit.

    Paths are `str`, `bytes` or `os.PathLike`, sent as UTF-8; at most 107
    bytes on Linux (103 on macOS)."""

    def __init__(self, _handle: int | None = None):
        super().__init__(_handle or lib.sptcp_uds_new())

    def __repr__(self) -> str:
        if not self._usable():
            return "<StreamPeerUDS freed>"
        status = self.get_status()
        path = self.get_connected_path()
        if status in (Status.STATUS_CONNECTING, Status.STATUS_CONNECTED) and path:
            return f"<StreamPeerUDS {status.name} {path}>"
        return f"<StreamPeerUDS {status.name}>"

    def bind(self, path: PathArg) -> Error:
        """Binds the socket to `path` before connecting, so the server sees
        where the connection comes from. The socket file is removed when
        the socket closes. A stale socket file at `path` is replaced;
        anything else there gives ERR_ALREADY_EXISTS and is left alone."""
        p = _path(path)
        if p is None:
            return Error.ERR_INVALID_PARAMETER
        return to_error(lib.sptcp_uds_bind(self.handle, p))

    def connect_to_host(self, path: PathArg) -> Error:
        """Starts connecting to the server listening on `path` (never
        blocks; usually CONNECTED at once). FAILED when no server listens
        there (the status stays NONE); ERR_INVALID_PARAMETER for an empty
        or too long path."""
        p = _path(path)
        if p is None:
            return Error.ERR_INVALID_PARAMETER
        return to_error(lib.sptcp_uds_connect_to_host(self.handle, p))

    def get_connected_path(self) -> str:
        """The path connected to: "" without a connection, and for a peer
        taken from a server (as in Godot)."""
        buf = ctypes.create_string_buffer(108)
        n = lib.sptcp_uds_get_connected_path(self.handle, buf, len(buf))
        if n >= len(buf):
            buf = ctypes.create_string_buffer(n + 1)
            n = lib.sptcp_uds_get_connected_path(self.handle, buf, len(buf))
        return buf.raw[:n].decode("utf-8", "surrogatepass")


class StreamPeerBuffer(StreamPeer):
    """Godot's StreamPeerBuffer: an in-memory stream with a cursor."""

    def __init__(self, data: bytes = b"", _handle: int | None = None):
        super().__init__(_handle or lib.sptcp_buffer_new())
        if data:
            self.data_array = data

    def __repr__(self) -> str:
        if not self._usable():
            return "<StreamPeerBuffer freed>"
        return f"<StreamPeerBuffer size={self.get_size()} position={self.get_position()}>"

    def seek(self, position: int) -> Error:
        return to_error(lib.sptcp_buffer_seek(self.handle, position))

    def get_position(self) -> int:
        return lib.sptcp_buffer_get_position(self.handle)

    def get_size(self) -> int:
        return lib.sptcp_buffer_get_size(self.handle)

    def resize(self, size: int) -> Error:
        return to_error(lib.sptcp_buffer_resize(self.handle, size))

    def clear(self) -> None:
        check(lib.sptcp_buffer_clear(self.handle))

    @property
    def data_array(self) -> bytes:
        """All the bytes (whatever the cursor); setting it moves the cursor to 0."""
        n = lib.sptcp_buffer_get_data_array(self.handle, None, 0)
        buf = (c_uint8 * n)()
        lib.sptcp_buffer_get_data_array(self.handle, buf, n)
        return bytes(buf)

    @data_array.setter
    def data_array(self, data: bytes) -> None:
        buf, n = _in(data)
        check(lib.sptcp_buffer_set_data_array(self.handle, buf, n))

    def get_data_array(self) -> bytes:
        return self.data_array

    def set_data_array(self, data: bytes) -> None:
        self.data_array = data

    def duplicate(self) -> StreamPeerBuffer:
        """A copy with the cursor at 0 and default settings (as Godot)."""
        return StreamPeerBuffer(_handle=lib.sptcp_buffer_duplicate(self.handle))


__all__ = ["StreamPeer", "StreamPeerSocket", "StreamPeerTCP", "StreamPeerUDS", "StreamPeerBuffer", "GodotError",
           "c_bool"]
