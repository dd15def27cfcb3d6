"""StreamPeerTLS and TLSOptions: Godot's TLS over any peer (TCP, Unix
domain, buffer, even TLS), with rustls underneath.

    from streampeer_tcp import StreamPeerTCP, StreamPeerTLS, TLSOptions, TLSStatus

    tcp = StreamPeerTCP()
    tcp.connect_to_host("example.com", 443)
    tls = StreamPeerTLS()
    tls.connect_to_stream(tcp, "example.com")   # may start while tcp is CONNECTING
    while tls.get_status() == TLSStatus.STATUS_HANDSHAKING:
        tls.poll()
    tls.put_data(b"GET / HTTP/1.0\\r\\nHost: example.com\\r\\n\\r\\n")

A server takes a connection and calls `accept_stream(peer,
TLSOptions.server(key_pem, certificate_pem))`.

Ownership: on OK, connect_to_stream / accept_stream hand the stream's
native peer to the TLS peer (the library frees it with the TLS peer). The
Python stream object is then *borrowed*: the TLS peer keeps it alive and
get_stream() returns it, it can still be asked things (its status, its
address), but reading or writing it directly breaks the TLS stream, and its
free() does nothing. Once the TLS peer lets go of it (free(),
disconnect_from_stream(), a new connect_to_stream / accept_stream, or the
garbage collector; and the library itself after an error or the far
side's close_notify, when the status has no stream), the stream object
cannot be used any more: every call raises ValueError. On failure the
stream stays the caller's, unchanged. A borrowed stream is part of its TLS
peer: use it only from the thread that uses the TLS peer.
"""

from __future__ import annotations

import weakref
from typing import Any, TypeVar, Union

from ._native import last_error_message, lib, to_error
from .enums import Error, TLSStatus
from .peer import StreamPeer

PemArg = Union[str, bytes]
"""PEM text: `str` (ASCII) or `bytes`."""

_O = TypeVar("_O", bound="TLSOptions")
_MADE_DIRECTLY: Any = object()  # TLSOptions() without a handle: not allowed
_T = TypeVar("_T", bound="StreamPeerTLS")


def _pem(what: str, pem: PemArg | None) -> bytes | None:
    """PEM text as the bytes C takes (None stays None). Raises TypeError for
    anything else and ValueError for text holding a NUL byte (C would
    silently cut it there)."""
    if pem is None:
        return None
    if isinstance(pem, str):
        b = pem.encode("utf-8", "surrogatepass")
    elif isinstance(pem, (bytes, bytearray, memoryview)):
        b = bytes(pem)
    else:
        raise TypeError(f"{what} must be PEM text (str or bytes), not {type(pem).__name__}")
    if b"\0" in b:
        raise ValueError(f"{what} holds a NUL byte")
    return b


class TLSOptions:
    """Godot's TLSOptions: how a StreamPeerTLS verifies (a client) or
    proves who it is (a server). Made by `client()`, `client_unsafe()` or
    `server()`, never directly. The PEM text is read at once: bad PEM raises
    ValueError with the library's reason (the C call gives no Error code,
    only NULL, and a bad argument value is a ValueError throughout this
    package). StreamPeerTLS keeps what it needs, so the options may be freed
    right after connect_to_stream / accept_stream, and one object may serve
    many peers. Freed by free(), on leaving a `with` block, or by the
    garbage collector."""

    _handle: int | None = None

    def __init__(self, _handle: Any = _MADE_DIRECTLY, *, _what: str = "", _server: bool = False,
                 _unsafe: bool = False, _common_name_override: str = "") -> None:
        if _handle is _MADE_DIRECTLY:
            raise TypeError("use TLSOptions.client(), TLSOptions.client_unsafe() or TLSOptions.server()")
        if not _handle:
            raise ValueError(f"TLSOptions.{_what}: {last_error_message() or 'the library refused the PEM'}")
        self._handle = _handle
        self._server = _server
        self._unsafe = _unsafe
        self._common_name_override = _common_name_override

    @classmethod
    def client(cls: type[_O], trusted_chain: PemArg | None = None, common_name_override: str = "") -> _O:
        """Options for a client that verifies the server: its certificate
        must chain to `trusted_chain` (PEM, one or more certificates; None:
        the library's default roots) and be for the common name given to
        connect_to_stream, or `common_name_override` when that is not ""."""
        chain = _pem("trusted_chain", trusted_chain)
        cn = common_name_override.encode("utf-8", "surrogatepass")
        if b"\0" in cn:
            raise ValueError("common_name_override holds a NUL byte")
        return cls(lib.sptcp_tls_options_client(chain, cn or None), _what="client",
                   _common_name_override=common_name_override)

    @classmethod
    def client_unsafe(cls: type[_O], trusted_chain: PemArg | None = None) -> _O:
        """Options for a client that does not verify the server at all (any
        certificate, any name): for tests and development only.
        `trusted_chain` is read (bad PEM raises ValueError) but not used to
        refuse anything."""
        return cls(lib.sptcp_tls_options_client_unsafe(_pem("trusted_chain", trusted_chain)),
                   _what="client_unsafe", _unsafe=True)

    @classmethod
    def server(cls: type[_O], key: PemArg, certificate: PemArg) -> _O:
        """Options for a server: its private key (PEM: PKCS#8, PKCS#1 or
        SEC1) and its certificate chain (PEM, the server's own certificate
        first)."""
        k = _pem("key", key)
        c = _pem("certificate", certificate)
        if k is None or c is None:
            raise TypeError("TLSOptions.server needs a key and a certificate")
        return cls(lib.sptcp_tls_options_server(k, c), _what="server", _server=True)

    # Lifetime -------------------------------------------------------------

    def free(self) -> None:
        """Releases the native options (peers made with them keep working).
        The object cannot be used afterwards; freeing twice does nothing."""
        h, self._handle = self._handle, None
        # At interpreter exit the module may already be torn down.
        if h and lib is not None:
            lib.sptcp_tls_options_free(h)

    def __del__(self) -> None:
        self.free()

    def __enter__(self: _O) -> _O:
        return self

    def __exit__(self, *exc: object) -> None:
        self.free()

    @property
    def handle(self) -> int:
        if not self._handle:
            raise ValueError("TLSOptions was freed")
        return self._handle

    def __repr__(self) -> str:
        if not self._handle:
            return "<TLSOptions freed>"
        kind = "server" if self._server else "client_unsafe" if self._unsafe else "client"
        return f"<TLSOptions {kind}>"

    # Godot's getters (what these options were made with) -------------------

    def is_server(self) -> bool:
        return self._server

    def is_unsafe_client(self) -> bool:
        return self._unsafe

    def get_common_name_override(self) -> str:
        return self._common_name_override


class StreamPeerTLS(StreamPeer):
    """Godot's StreamPeerTLS: TLS 1.2 / 1.3 over another peer (its
    *stream*). Non-blocking: call poll() (each frame or loop) to drive the
    handshake, and get_status() to see it finish. Once STATUS_CONNECTED
    the whole StreamPeer data API works on it (blocking calls block, as
    long as io_timeout_ms allows; partial calls never do;
    get_available_bytes() counts decrypted bytes), and wait() and
    PollGroup too. Data calls before that give ERR_UNCONFIGURED (typed,
    string and Variant readers raise GodotError).

    The stream is taken on OK and freed with the TLS peer; see the module's
    documentation for what that means for the Python stream object. Use a
    TLS peer from one thread at a time. As a context manager it disconnects
    (close_notify) on exit; free() and the garbage collector send
    close_notify first too."""

    _stream: StreamPeer | None = None

    def __init__(self) -> None:
        super().__init__(lib.sptcp_tls_new())
        self._ref = weakref.ref(self)

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._usable():
            self.disconnect_from_stream()

    def __repr__(self) -> str:
        if not self._usable():
            return "<StreamPeerTLS freed>"
        return f"<StreamPeerTLS {self.get_status().name}>"

    # The stream and who holds it -------------------------------------------

    def _holds(self, stream: StreamPeer) -> bool:
        """Whether the native TLS peer still holds `stream`'s native peer
        (else forgets it: the library freed it)."""
        try:
            mine = self.handle
        except ValueError:
            return False
        if stream is self._stream and stream._handle and lib.sptcp_tls_get_stream(mine) == stream._handle:
            return True
        if stream is self._stream:
            self._stream = None
        return False

    def _sync(self) -> None:
        """Detaches the stream object when the library no longer holds it."""
        s = self._stream
        if s is not None and not self._holds(s):
            s._detach()

    def _forget_stream(self) -> None:
        s, self._stream = self._stream, None
        if s is not None:
            s._detach()

    def _check_stream(self, stream: Any) -> Error | None:
        """Refuses a stream the library must not take: OK is None."""
        if not isinstance(stream, StreamPeer):
            raise TypeError(f"the stream must be a StreamPeer, not {type(stream).__name__}")
        if stream is self:
            return None  # the library's own check: ERR_INVALID_PARAMETER
        if stream._owner is not None and stream._taken():
            return Error.ERR_ALREADY_IN_USE  # another TLS peer (or this one) has it
        # A stream that holds this peer (through any depth) would hold itself.
        outer = self._owner() if self._owner is not None else None
        while outer is not None:
            if outer is stream:
                return Error.ERR_INVALID_PARAMETER
            outer = outer._owner() if outer._owner is not None else None
        return None

    def _took(self, stream: StreamPeer, err: Error) -> Error:
        """Records what connect_to_stream / accept_stream did with `stream`."""
        if err != Error.OK or stream is self:  # (a TLS peer never holds itself)
            self._sync()  # a failed call may have dropped the old stream
            return err
        old, self._stream = self._stream, stream
        stream._owner = self._ref
        stream._hv = None  # its calls take the checked way now
        if old is not None:
            old._detach()  # the library let go of it for the new one
        return err

    def connect_to_stream(self, stream: StreamPeer, common_name: str | None,
                          options: TLSOptions | None = None) -> Error:
        """Starts the client handshake over `stream` (which may still be
        CONNECTING: poll() polls it and starts once it is CONNECTED),
        verifying the server's certificate for `common_name` (a host name,
        or an IP address for an IP address in the certificate).
        `options`: TLSOptions.client(...) or client_unsafe(...); None:
        TLSOptions.client() (the default roots). OK: the stream is taken
        (see the module's documentation). ERR_INVALID_PARAMETER for server
        options, a common name that is None, empty, holds a NUL byte or is
        neither a host name nor an IP address, this peer as its own stream, or a stream that holds this peer (through any
        depth); ERR_ALREADY_IN_USE for a stream another StreamPeerTLS
        has taken. Raises TypeError for a stream that is not a StreamPeer
        and ValueError for freed objects."""
        err = self._check_stream(stream)
        if err is not None:
            return err
        if options is not None and not isinstance(options, TLSOptions):
            raise TypeError(f"options must be TLSOptions, not {type(options).__name__}")
        cn = None if common_name is None else common_name.encode("utf-8", "surrogatepass")
        if cn is not None and b"\0" in cn:
            return Error.ERR_INVALID_PARAMETER
        opts = options.handle if options is not None else None
        err = to_error(lib.sptcp_tls_connect_to_stream(self.handle, stream.handle, cn, opts))
        return self._took(stream, err)

    def accept_stream(self, stream: StreamPeer, options: TLSOptions) -> Error:
        """Starts the server handshake over `stream` (usually a peer taken
        from a TCPServer or UDSServer) with `options` from
        TLSOptions.server(key, certificate). OK: the stream is taken (see
        the module's documentation). ERR_INVALID_PARAMETER for client
        options (or None), or this peer as its own stream;
        ERR_ALREADY_IN_USE for a stream another StreamPeerTLS has taken.
        Raises TypeError for a stream that is not a StreamPeer and
        ValueError for freed objects."""
        err = self._check_stream(stream)
        if err is not None:
            return err
        if options is not None and not isinstance(options, TLSOptions):
            raise TypeError(f"options must be TLSOptions, not {type(options).__name__}")
        opts = options.handle if options is not None else None
        err = to_error(lib.sptcp_tls_accept_stream(self.handle, stream.handle, opts))
        return self._took(stream, err)

    def get_stream(self) -> StreamPeer | None:
        """The stream given to connect_to_stream / accept_stream (the very
        object), borrowed; None when there is none: before, after
        disconnect_from_stream(), after an error or the far side's
        close_notify (the library freed it then)."""
        self._sync()
        return self._stream

    def disconnect_from_stream(self) -> None:
        """Sends close_notify, then closes and frees the stream: the status
        is STATUS_DISCONNECTED and the stream object cannot be used any
        more."""
        lib.sptcp_tls_disconnect_from_stream(self.handle)
        self._sync()

    # The status machine ----------------------------------------------------

    def poll(self) -> Error:
        """Drives the handshake and the I/O (polls the stream too); never
        blocks. A failure (ERROR, ERROR_HOSTNAME_MISMATCH) comes with its
        reason in last_error_message()."""
        return to_error(lib.sptcp_tls_poll(self.handle))

    def get_status(self) -> TLSStatus:
        """The status (changed only by poll() and failing data calls)."""
        return TLSStatus(lib.sptcp_tls_get_status(self.handle))

    @property
    def io_timeout_ms(self) -> int:
        """A limit for each blocking call (get_data, put_data, typed
        values, strings, Variants); 0 (the default, as Godot): none. A
        call that reaches it gives ERR_TIMEOUT (readers raise GodotError)."""
        return lib.sptcp_get_io_timeout_ms(self.handle)

    @io_timeout_ms.setter
    def io_timeout_ms(self, ms: int) -> None:
        lib.sptcp_set_io_timeout_ms(self.handle, ms)


__all__ = ["StreamPeerTLS", "TLSOptions", "TLSStatus"]
