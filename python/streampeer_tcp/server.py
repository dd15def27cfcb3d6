"""SocketServer: TCPServer and UDSServer."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from ._native import lib, to_error
from .enums import Error
from .peer import PathArg, StreamPeerSocket, StreamPeerTCP, StreamPeerUDS, _leave_group, _path, _timeout

_P = TypeVar("_P", bound=StreamPeerSocket)
_T = TypeVar("_T", bound="SocketServer[Any]")


class SocketServer(Generic[_P]):
    """What TCPServer and UDSServer share (Godot master's SocketServer):
    is_listening, is_connection_available, take_connection and stop. Not
    made directly. Use a server from one thread at a time. As a context
    manager it stops on exit."""

    _handle: int | None = None
    _peer_type: type[_P]

    def __init__(self) -> None:
        self._handle = self._new()
        if not self._handle:
            raise MemoryError("could not create a server")

    def _new(self) -> int | None:
        raise TypeError(f"{type(self).__name__} cannot be made directly; use TCPServer or UDSServer")

    # Set by PollGroup while the server is a member: (weakref to the group, id).
    _group: Any = None

    def free(self) -> None:
        """Stops and releases the server; taken peers keep working. A
        server in a PollGroup leaves it."""
        _leave_group(self)
        h, self._handle = self._handle, None
        # At interpreter exit the module may already be torn down.
        if h and lib is not None:
            lib.sptcp_server_free(h)

    def __del__(self) -> None:
        self.free()

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle:
            self.stop()

    @property
    def handle(self) -> int:
        if not self._handle:
            raise ValueError(f"{type(self).__name__} was freed")
        return self._handle

    def is_listening(self) -> bool:
        return lib.sptcp_server_is_listening(self.handle)

    def is_connection_available(self) -> bool:
        return lib.sptcp_server_is_connection_available(self.handle)

    def take_connection(self) -> _P | None:
        """The next waiting connection, already CONNECTED, or None."""
        h = lib.sptcp_server_take_connection(self.handle)
        return self._peer_type(_handle=h) if h else None

    def stop(self) -> None:
        lib.sptcp_server_stop(self.handle)

    def wait(self, timeout_ms: int = -1) -> Error:
        """Waits until a connection is there to take or `timeout_ms` passes
        (-1: no limit, 0: just look). OK when one is; ERR_TIMEOUT
        otherwise; ERR_UNAVAILABLE when not listening; ERR_INVALID_PARAMETER
        for a timeout below -1. The GIL is released while waiting."""
        return to_error(lib.sptcp_server_wait(self.handle, _timeout(timeout_ms)))

    def get_socket(self) -> int:
        """The OS socket of the listening server (a descriptor; a SOCKET on
        Windows), or -1 when not listening. Borrowed: never close it."""
        return lib.sptcp_server_get_socket(self.handle)


class TCPServer(SocketServer[StreamPeerTCP]):
    """Godot's TCPServer. As a context manager it stops on exit."""

    _peer_type = StreamPeerTCP

    def _new(self) -> int | None:
        return lib.sptcp_server_new()

    def __repr__(self) -> str:
        if not self._handle:
            return "<TCPServer freed>"
        if self.is_listening():
            return f"<TCPServer listening on port {self.get_local_port()}>"
        return "<TCPServer not listening>"

    def listen(self, port: int, bind_address: str = "*") -> Error:
        """Listens on `port` (0: any free port) and `bind_address` ("*": all
        addresses, IPv4 and IPv6; or an IP literal)."""
        return to_error(lib.sptcp_server_listen(self.handle, port, bind_address.encode()))

    def get_local_port(self) -> int:
        return lib.sptcp_server_get_local_port(self.handle)


class UDSServer(SocketServer[StreamPeerUDS]):
    """Godot master's UDSServer: accepts Unix domain socket connections,
    taken as StreamPeerUDS. As a context manager it stops on exit."""

    _peer_type = StreamPeerUDS
    _listen_path: str | None = None  # for __repr__: C keeps no copy to ask for

    def _new(self) -> int | None:
        return lib.sptcp_uds_server_new()

    def __repr__(self) -> str:
        if not self._handle:
            return "<UDSServer freed>"
        if self.is_listening():
            return f"<UDSServer listening on {self._listen_path}>"
        return "<UDSServer not listening>"

    def listen(self, path: PathArg) -> Error:
        """Listens on `path` (`str`, `bytes` or `os.PathLike`; at most 107
        UTF-8 bytes on Linux, 103 on macOS). The socket file is made now
        and removed by stop() or free(). A stale socket file at `path` is
        replaced; a path a server listens on, or that is not a socket (it
        is never removed), gives ERR_ALREADY_IN_USE, as does listening
        twice; an empty or too long path ERR_INVALID_PARAMETER."""
        p = _path(path)
        if p is None:
            return Error.ERR_INVALID_PARAMETER
        err = to_error(lib.sptcp_uds_server_listen(self.handle, p))
        if err == Error.OK:
            self._listen_path = p.decode("utf-8", "surrogatepass")
        return err

    def stop(self) -> None:
        """Stops listening and removes the socket file (if it is still the
        one the server made)."""
        super().stop()
        self._listen_path = None


__all__ = ["SocketServer", "TCPServer", "UDSServer"]
