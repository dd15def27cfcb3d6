"""TCPServer."""

from __future__ import annotations

from ._native import lib, to_error
from .enums import Error
from .peer import StreamPeerTCP


class TCPServer:
    """Godot's TCPServer. As a context manager it stops on exit."""

    _handle: int | None = None

    def __init__(self) -> None:
        self._handle = lib.sptcp_server_new()
        if not self._handle:
            raise MemoryError("could not create a server")

    def free(self) -> None:
        """Stops and releases the server; taken peers keep working."""
        h, self._handle = self._handle, None
        # At interpreter exit the module may already be torn down.
        if h and lib is not None:
            lib.sptcp_server_free(h)

    def __del__(self) -> None:
        self.free()

    def __enter__(self) -> TCPServer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle:
            self.stop()

    def __repr__(self) -> str:
        if not self._handle:
            return "<TCPServer freed>"
        if self.is_listening():
            return f"<TCPServer listening on port {self.get_local_port()}>"
        return "<TCPServer not listening>"

    @property
    def handle(self) -> int:
        if not self._handle:
            raise ValueError("TCPServer was freed")
        return self._handle

    def listen(self, port: int, bind_address: str = "*") -> Error:
        """Listens on `port` (0: any free port) and `bind_address` ("*": all
        addresses, IPv4 and IPv6; or an IP literal)."""
        return to_error(lib.sptcp_server_listen(self.handle, port, bind_address.encode()))

    def is_listening(self) -> bool:
        return lib.sptcp_server_is_listening(self.handle)

    def is_connection_available(self) -> bool:
        return lib.sptcp_server_is_connection_available(self.handle)

    def take_connection(self) -> StreamPeerTCP | None:
        """The next waiting connection, already CONNECTED, or None."""
        h = lib.sptcp_server_take_connection(self.handle)
        return StreamPeerTCP(_handle=h) if h else None

    def get_local_port(self) -> int:
        return lib.sptcp_server_get_local_port(self.handle)

    def stop(self) -> None:
        lib.sptcp_server_stop(self.handle)
