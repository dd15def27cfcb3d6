"""asyncio for streampeer_tcp: connections and servers on an event loop,
without a thread per connection.

    import asyncio
    from streampeer_tcp import aio

    async def handle(peer):
        while True:
            try:
                value = await peer.get_var()
            except aio.GodotError:  # the client went away
                return
            await peer.put_var(value)

    async def main():
        server = await aio.start_server(handle, "127.0.0.1", 0)
        peer = await aio.open_connection("127.0.0.1", server.port)
        await peer.put_var({"hello": [1, 2, 3]})
        print(await peer.get_var())
        peer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())

How it works: each event loop gets one PollGroup. Its descriptor (the
epoll descriptor on Linux) is watched with `loop.add_reader`; when it is
readable the group is waited on with timeout 0 and the coroutines waiting
on the members that are ready are woken. A member is in the group only
while someone waits on it, and its interest covers what is waited for
(narrowed lazily, when an event nobody waits for comes in).

Where the group has no descriptor (Windows, macOS: `PollGroup.fileno()`
is -1) the group is polled instead, with timeout 0 every millisecond
(`loop.call_later(0.001)`) while any coroutine waits: it works the same,
with up to about a millisecond of extra latency per wait.

Reads never block the loop: bytes are taken with get_partial_data into a
Python-side buffer and length-prefixed messages (get_var, strings) are
decoded from it once they are complete, so a cancelled read loses nothing.
Writes use put_partial_data and wait for WRITABLE for the rest; a
cancelled write may have sent part of its bytes. One coroutine may read
and one write on a peer at the same time (RuntimeError otherwise).

The data methods keep the package's conventions: put_* return an Error,
get_data / get_partial_data return (Error, bytes), get_var and the typed
and string readers return the value and raise GodotError when the read
fails (ERR_FILE_EOF when the other side closed, FAILED when not
connected or closed here). Name lookups of open_connection run in the
loop's default executor (loop.getaddrinfo); IP literals need none.
"""

from __future__ import annotations

import asyncio
import inspect
import struct
import weakref
from ctypes import byref, c_size_t, c_uint8, string_at
from typing import Any, Awaitable, Callable, Optional, Union

from ._native import GodotError, last_error_message, lib, to_error
from .enums import Error, Event, Status
from .group import PollGroup
from .peer import PathArg, StreamPeerSocket, StreamPeerTCP, StreamPeerUDS
from .server import SocketServer, TCPServer, UDSServer
from .variant import bytes_to_var, var_to_bytes

_READABLE = int(Event.READABLE)
_WRITABLE = int(Event.WRITABLE)
_ACCEPTABLE = int(Event.ACCEPTABLE)
_BROKEN = int(Event.HANGUP | Event.ERROR)
_WAKES_READERS = _READABLE | _ACCEPTABLE | _BROKEN
_WAKES_WRITERS = _WRITABLE | _BROKEN
_CHUNK = 65536  # bytes asked per get_partial_data (>= 4096: no read-ahead in the library)
_MAX_EVENTS = 256
_POLL_INTERVAL = 0.001


class _Watch:
    """The waiters of one member (a peer or a server)."""

    __slots__ = ("member", "server", "readers", "writers", "interest", "in_group")

    def __init__(self, member: Any, server: bool = False):
        self.member = member
        self.server = server
        self.readers: list[asyncio.Future[int]] = []  # READABLE (ACCEPTABLE for a server)
        self.writers: list[asyncio.Future[int]] = []  # WRITABLE
        self.interest = 0  # in the group now (a superset of what is waited for)
        self.in_group = False

    def wanted(self) -> int:
        return (_READABLE if self.readers else 0) | (_WRITABLE if self.writers else 0)


class _Reactor:
    """One PollGroup per event loop, woken through the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, use_fd: bool = True):
        self.group = PollGroup()
        self._loop_ref = weakref.ref(loop)
        self.fd = self.group.fileno() if use_fd else -1
        self._tick: Optional[asyncio.TimerHandle] = None
        self._waiting = 0
        self.closed = False
        # One receive buffer for every peer of this loop (a loop runs one
        # callback at a time).
        self.rbuf = (c_uint8 * _CHUNK)()
        self.got = c_size_t()
        if self.fd >= 0:
            loop.add_reader(self.fd, self._on_ready)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop_ref()
        if loop is None:
            raise RuntimeError("the event loop is gone")
        return loop

    def close(self) -> None:
        """Stops watching the group and frees it (its members leave it);
        waits in progress return 0."""
        if self.closed:
            return
        self.closed = True
        for _, watch in list(self.group._members.values()):
            for fut in watch.readers + watch.writers:
                if not fut.done():
                    fut.set_result(0)
            watch.readers.clear()
            watch.writers.clear()
            watch.in_group = False
        loop = self._loop_ref()
        if self.fd >= 0 and loop is not None and not loop.is_closed():
            loop.remove_reader(self.fd)
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        self.group.free()

    # Waiting --------------------------------------------------------------

    async def wait(self, watch: _Watch, interest: int) -> int:
        """Waits until `watch`'s member is ready for `interest` (READABLE /
        ACCEPTABLE, or WRITABLE): the event bits, or 0 when the wait was
        called off (the member was closed)."""
        if self.closed:
            return 0
        fut = self.loop.create_future()
        waiters = watch.writers if interest == _WRITABLE else watch.readers
        waiters.append(fut)
        try:
            self._arm(watch)
        except BaseException:
            waiters.remove(fut)
            raise
        self._waiting += 1
        if self.fd < 0 and self._tick is None:
            self._tick = self.loop.call_later(_POLL_INTERVAL, self._on_tick)
        try:
            return await fut
        finally:
            self._waiting -= 1
            if not fut.done() or fut.cancelled():
                try:
                    waiters.remove(fut)
                except ValueError:
                    pass

    def _arm(self, watch: _Watch) -> None:
        """Puts the member in the group, its interest covering its waiters."""
        want = watch.wanted()
        if not watch.in_group:
            err = self.group.add(watch.member, want, watch)
            if err != Error.OK:
                raise GodotError(err, last_error_message())
            watch.in_group = True
            watch.interest = want
        elif not watch.server and want & ~watch.interest:
            watch.interest |= want
            self.group.set_interest(watch.member, watch.interest)

    def forget(self, watch: _Watch) -> None:
        """Calls off every wait on the member (they return 0) and takes it
        out of the group."""
        for fut in watch.readers + watch.writers:
            if not fut.done():
                fut.set_result(0)
        watch.readers.clear()
        watch.writers.clear()
        if watch.in_group:
            watch.in_group = False
            if not self.closed and watch.member._handle:
                self.group.remove(watch.member)

    def _on_ready(self) -> None:
        if self.closed:
            return
        for (_, watch), bits in self.group._wait_entries(0, _MAX_EVENTS):
            woke = False
            if bits & _WAKES_READERS and watch.readers:
                for fut in watch.readers:
                    if not fut.done():
                        fut.set_result(bits)
                watch.readers.clear()
                woke = True
            if bits & _WAKES_WRITERS and watch.writers:
                for fut in watch.writers:
                    if not fut.done():
                        fut.set_result(bits)
                watch.writers.clear()
                woke = True
            if woke:
                continue
            # An event nobody waits for (the interest was left wider than
            # the waiters, lazily): narrow it, or leave the group where
            # the interest cannot silence it (servers, hangups, errors).
            want = watch.wanted()
            if watch.server or (bits & _BROKEN and not want):
                watch.in_group = False
                self.group.remove(watch.member)
            elif want != watch.interest:
                watch.interest = want
                self.group.set_interest(watch.member, want)

    def _on_tick(self) -> None:
        self._tick = None
        self._on_ready()
        if self._waiting and not self.closed:
            self._tick = self.loop.call_later(_POLL_INTERVAL, self._on_tick)


_reactors: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Reactor]" = weakref.WeakKeyDictionary()


def _get_reactor(use_fd: bool = True) -> _Reactor:
    """The running loop's reactor, made on first use. `use_fd=False` (for
    tests) makes a new loop's reactor poll as where there is no group
    descriptor."""
    loop = asyncio.get_running_loop()
    r = _reactors.get(loop)
    if r is None or r.closed:
        r = _reactors[loop] = _Reactor(loop, use_fd)
    return r


def uses_group_fd() -> bool:
    """Whether the running loop watches the group's descriptor (True on
    Linux) or polls the group every millisecond (False)."""
    return _get_reactor().fd >= 0


def close_loop_group() -> None:
    """Frees the running loop's PollGroup (made again on next use). Peers
    and servers made on this loop must not be used afterwards. Not needed
    normally: the group is freed with its loop."""
    loop = asyncio.get_running_loop()
    r = _reactors.pop(loop, None)
    if r is not None:
        r.close()


# Peers -----------------------------------------------------------------------

_TYPED = {
    "8": "b", "u8": "B", "16": "h", "u16": "H", "32": "i", "u32": "I",
    "64": "q", "u64": "Q", "half": "e", "float": "f", "double": "d",
}
_STRUCTS = {(k, big): struct.Struct((">" if big else "<") + f) for k, f in _TYPED.items() for big in (False, True)}


class AsyncPeer:
    """A connected StreamPeerTCP or StreamPeerUDS for asyncio: made by
    open_connection, open_unix_connection and the servers (or
    `AsyncPeer(peer)` inside a running loop, for a CONNECTED peer).

    Use it only through these methods while it is wrapped: bytes read
    ahead wait in a Python-side buffer the wrapped peer does not see. Its
    settings (big_endian, variant_format, max_message_size) are the
    wrapped peer's. close() (or `async with`) frees the peer."""

    def __init__(self, peer: StreamPeerSocket, _reactor: Optional[_Reactor] = None):
        self._peer: Optional[StreamPeerSocket] = peer
        self._reactor = _reactor or _get_reactor()
        self._watch = _Watch(peer)
        self._buf = bytearray()
        self._reading = False
        self._writing = False
        self._error: Optional[Error] = None  # met while taking over the peer, reported by the next read
        if peer.get_status() == Status.STATUS_CONNECTED:
            # Take over bytes the library read ahead for earlier small
            # reads: from here on every read asks for _CHUNK bytes, so the
            # library holds no bytes for this peer and its readiness is
            # the socket's alone. (The library's set_interest miscounts
            # members ready in user space: test_group.py's xfail.)
            err = self._receive(peer.handle)
            if err != Error.OK:
                self._error = err

    def __repr__(self) -> str:
        return f"<AsyncPeer {self._peer!r}>" if self._peer else "<AsyncPeer closed>"

    @property
    def peer(self) -> StreamPeerSocket:
        """The wrapped peer (for its settings and addresses)."""
        if self._peer is None:
            raise ValueError("AsyncPeer was closed")
        return self._peer

    def get_status(self) -> Status:
        """The wrapped peer's status (STATUS_NONE once closed)."""
        return self._peer.get_status() if self._peer else Status.STATUS_NONE

    def is_closed(self) -> bool:
        return self._peer is None

    def get_available_bytes(self) -> int:
        """Bytes a read would get without waiting (buffered here and in the
        library, and in the kernel)."""
        if self._peer is None:
            return len(self._buf)
        return len(self._buf) + max(self._peer.get_available_bytes(), 0)

    def close(self) -> None:
        """Disconnects and frees the peer; waiting reads and writes return
        FAILED (readers that raise: GodotError). Idempotent."""
        peer, self._peer = self._peer, None
        if peer is None:
            return
        if not self._reactor.closed:
            self._reactor.forget(self._watch)
        peer.free()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # at interpreter exit, or the loop is gone
            pass

    async def __aenter__(self) -> AsyncPeer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    # Reading --------------------------------------------------------------

    def _start(self, what: str) -> None:
        if self._reading:
            raise RuntimeError(f"{what}: another coroutine is already reading from this peer")
        self._reading = True

    async def _fill(self, n: int) -> Error:
        """Reads until `n` bytes are buffered here: OK, or the error that
        stopped it (ERR_FILE_EOF: the other side closed; FAILED: not
        connected or closed here)."""
        buf = self._buf
        r = self._reactor
        while len(buf) < n:
            peer = self._peer
            if peer is None or r.closed:
                return Error.FAILED
            if self._error is not None:
                err, self._error = self._error, None
                return err
            h = peer.handle
            # Wait first (level-triggered: bytes already there, in the
            # kernel or read ahead by the library, are reported at once),
            # so no receive is spent on finding nothing. Without a
            # connection the receive below reports why.
            if lib.sptcp_get_status(h) == Status.STATUS_CONNECTED:
                await r.wait(self._watch, _READABLE)
                peer = self._peer
                if peer is None or r.closed:
                    return Error.FAILED
            err = self._receive(h)
            if err != Error.OK:
                return err
        return Error.OK

    def _receive(self, h: int) -> Error:
        """One get_partial_data of up to _CHUNK bytes into the buffer here
        (never blocks)."""
        r = self._reactor
        err = lib.sptcp_get_partial_data(h, r.rbuf, _CHUNK, byref(r.got))
        if err != Error.OK:
            return to_error(err)
        got = r.got.value
        if got:
            self._buf += string_at(r.rbuf, got)
        return Error.OK

    async def _read(self, n: int, what: str) -> bytes:
        """Exactly `n` bytes, or GodotError."""
        self._start(what)
        try:
            err = await self._fill(n)
            if err != Error.OK:
                raise GodotError(err, f"{what}: {_detail(err)}")
            data = bytes(self._buf[:n])
            del self._buf[:n]
            return data
        finally:
            self._reading = False

    async def _read_prefixed(self, what: str) -> bytes:
        """A u32 length prefix and that many bytes, taken only once all of
        them are here (a cancelled read loses nothing)."""
        self._start(what)
        try:
            peer = self.peer
            err = await self._fill(4)
            if err != Error.OK:
                raise GodotError(err, f"{what}: {_detail(err)}")
            (length,) = _STRUCTS["32", peer.big_endian].unpack_from(self._buf)
            if length < 0 or length > peer.max_message_size:
                del self._buf[:4]
                raise GodotError(
                    Error.ERR_INVALID_DATA,
                    f"{what}: length {length} is negative or above max_message_size ({peer.max_message_size})",
                )
            err = await self._fill(4 + length)
            if err != Error.OK:
                got = len(self._buf) - 4
                self._buf.clear()
                raise GodotError(err, f"{what}: {_detail(err)} after {got} of {length} bytes")
            data = bytes(self._buf[4:4 + length])
            del self._buf[:4 + length]
            return data
        finally:
            self._reading = False

    async def get_data(self, nbytes: int) -> tuple[Error, bytes]:
        """Reads exactly `nbytes`: (Error, bytes). On an error the bytes
        that did arrive are returned (and consumed)."""
        if nbytes < 0:
            return Error.ERR_OUT_OF_MEMORY, b""
        self._start("get_data")
        try:
            err = await self._fill(nbytes)
            data = bytes(self._buf[:nbytes])
            del self._buf[:nbytes]
            return err, data
        finally:
            self._reading = False

    async def get_partial_data(self, nbytes: int) -> tuple[Error, bytes]:
        """Waits until at least one byte is there, then reads up to
        `nbytes`: (Error, bytes). (Error, b"") at the end of the stream."""
        if nbytes < 0:
            return Error.ERR_OUT_OF_MEMORY, b""
        if nbytes == 0:
            return Error.OK, b""
        self._start("get_partial_data")
        try:
            err = Error.OK if self._buf else await self._fill(1)
            data = bytes(self._buf[:nbytes])
            del self._buf[:nbytes]
            return (Error.OK if data else err), data
        finally:
            self._reading = False

    async def get_var(self, allow_objects: bool = False) -> Any:
        """Godot's get_var: the next Variant (a u32 length and
        var_to_bytes' encoding) as a Python value. Raises GodotError when
        reading or decoding fails (ERR_FILE_EOF: the other side closed)."""
        data = await self._read_prefixed("get_var")
        return bytes_to_var(data, self.peer.variant_format, allow_objects)

    async def get_utf8_string(self, nbytes: int = -1) -> str:
        """Godot's get_utf8_string; nbytes=-1 reads the u32 length prefix."""
        data = await (self._read_prefixed("get_utf8_string") if nbytes < 0 else self._read(nbytes, "get_utf8_string"))
        return data.decode("utf-8", "replace")

    async def _get(self, kind: str) -> Any:
        s = _STRUCTS[kind, self.peer.big_endian]
        return s.unpack(await self._read(s.size, "get_" + kind))[0]

    async def get_8(self) -> int:
        return await self._get("8")

    async def get_u8(self) -> int:
        return await self._get("u8")

    async def get_16(self) -> int:
        return await self._get("16")

    async def get_u16(self) -> int:
        return await self._get("u16")

    async def get_32(self) -> int:
        return await self._get("32")

    async def get_u32(self) -> int:
        return await self._get("u32")

    async def get_64(self) -> int:
        return await self._get("64")

    async def get_u64(self) -> int:
        return await self._get("u64")

    async def get_half(self) -> float:
        return await self._get("half")

    async def get_float(self) -> float:
        return await self._get("float")

    async def get_double(self) -> float:
        return await self._get("double")

    # Writing --------------------------------------------------------------

    async def put_data(self, data: Union[bytes, bytearray, memoryview]) -> Error:
        """Sends all of `data`: what the kernel takes now, then the rest as
        the socket becomes WRITABLE. OK, or the error that stopped it (the
        peer is disconnected then, as in Godot)."""
        if self._writing:
            raise RuntimeError("put_data: another coroutine is already writing to this peer")
        self._writing = True
        try:
            chunk = data if isinstance(data, bytes) else bytes(data)
            total = len(chunk)
            done = 0
            while True:
                peer = self._peer
                if peer is None or self._reactor.closed:
                    return Error.FAILED
                err, sent = peer.put_partial_data(chunk if done == 0 else chunk[done:])
                if err != Error.OK:
                    return err
                done += sent
                if done >= total:
                    return Error.OK
                bits = await self._reactor.wait(self._watch, _WRITABLE)
                if bits and not bits & (_WRITABLE | int(Event.ERROR)):
                    # Only HANGUP: the other side stopped sending but may
                    # still read; do not spin while its window is full.
                    await asyncio.sleep(0.01)
        finally:
            self._writing = False

    async def put_var(self, value: Any, full_objects: bool = False) -> Error:
        """Godot's put_var: a u32 length, then var_to_bytes(value). Raises
        TypeError / OverflowError / ValueError for Python values Godot
        cannot hold (nothing is sent then)."""
        peer = self.peer
        payload = var_to_bytes(value, peer.variant_format, full_objects)
        return await self.put_data(_STRUCTS["u32", peer.big_endian].pack(len(payload)) + payload)

    async def put_utf8_string(self, value: str) -> Error:
        """Godot's put_utf8_string: a u32 byte length, then UTF-8."""
        data = value.encode("utf-8", "surrogatepass")
        return await self.put_data(_STRUCTS["u32", self.peer.big_endian].pack(len(data)) + data)

    async def _put(self, kind: str, value: Any) -> Error:
        return await self.put_data(_STRUCTS[kind, self.peer.big_endian].pack(value))

    async def put_8(self, value: int) -> Error:
        return await self._put("8", value)

    async def put_u8(self, value: int) -> Error:
        return await self._put("u8", value)

    async def put_16(self, value: int) -> Error:
        return await self._put("16", value)

    async def put_u16(self, value: int) -> Error:
        return await self._put("u16", value)

    async def put_32(self, value: int) -> Error:
        return await self._put("32", value)

    async def put_u32(self, value: int) -> Error:
        return await self._put("u32", value)

    async def put_64(self, value: int) -> Error:
        return await self._put("64", value)

    async def put_u64(self, value: int) -> Error:
        return await self._put("u64", value)

    async def put_half(self, value: float) -> Error:
        return await self._put("half", value)

    async def put_float(self, value: float) -> Error:
        return await self._put("float", value)

    async def put_double(self, value: float) -> Error:
        return await self._put("double", value)


def _detail(err: Error) -> str:
    if err == Error.ERR_FILE_EOF:
        return "the other side closed the connection"
    return last_error_message() or "not connected"


# How often a connect is polled at the least. The group's descriptor, which
# the loop watches, already wakes it for the library's timers (the next
# Happy Eyeballs attempt, the connect timeout); this is a safety net for a
# platform without one.
_CONNECT_TICK = 0.05


async def _finish_connect(peer: StreamPeerSocket, timeout: Optional[float]) -> AsyncPeer:
    """Waits for a started connect to finish: the AsyncPeer, or GodotError
    (the peer is freed then)."""
    r = _get_reactor()
    ap = AsyncPeer(peer, r)
    limit = peer.connect_timeout_ms / 1000 if timeout is None else timeout
    try:
        deadline = r.loop.time() + limit
        while peer.get_status() == Status.STATUS_CONNECTING:
            left = deadline - r.loop.time()
            if left <= 0:
                raise GodotError(Error.ERR_CONNECTION_ERROR, f"connect: timed out after {limit:g} s")
            try:
                await asyncio.wait_for(r.wait(ap._watch, _WRITABLE), min(left, _CONNECT_TICK))
            except asyncio.TimeoutError:
                pass
            if r.closed:
                raise GodotError(Error.FAILED, "connect: the loop's group was closed")
            err = peer.poll()
            if err != Error.OK:
                code = err if err == Error.ERR_CANT_RESOLVE else Error.ERR_CONNECTION_ERROR
                raise GodotError(code, last_error_message())
        if peer.get_status() != Status.STATUS_CONNECTED:
            raise GodotError(Error.ERR_CONNECTION_ERROR, f"connect: status {peer.get_status().name}")
    except BaseException:
        ap.close()
        raise
    return ap


async def open_connection(host: str, port: int, *, timeout: Optional[float] = None,
                          no_delay: bool = True) -> AsyncPeer:
    """Connects to `host`:`port` over TCP without blocking the loop: an
    async connect (the name is looked up on the library's resolver threads
    and its addresses tried Happy Eyeballs style), then waits for WRITABLE
    and poll(): a CONNECTED AsyncPeer. `timeout` in seconds (default: the
    peer's connect timeout, 30 s) covers the lookup and every attempt.
    `no_delay` turns Nagle's algorithm off (the default here, for
    request/response traffic). Raises GodotError (ERR_CANT_RESOLVE for a
    name that does not resolve, ERR_CONNECTION_ERROR when the connect fails
    or times out)."""
    peer = StreamPeerTCP()
    peer.async_connect = True
    if timeout is not None:
        peer.connect_timeout_ms = max(1, min(int(timeout * 1000), 2**32 - 1))
    err = peer.connect_to_host(host, port)
    if err != Error.OK:
        msg = last_error_message()
        peer.free()
        raise GodotError(err, msg)
    if no_delay:
        peer.set_no_delay(True)
    return await _finish_connect(peer, timeout)


async def open_unix_connection(path: PathArg, *, timeout: Optional[float] = None) -> AsyncPeer:
    """Connects to the Unix domain socket server at `path`: a CONNECTED
    AsyncPeer. Raises GodotError."""
    peer = StreamPeerUDS()
    err = peer.connect_to_host(path)
    if err != Error.OK:
        msg = last_error_message()
        peer.free()
        raise GodotError(err, msg)
    return await _finish_connect(peer, timeout)


# Servers ---------------------------------------------------------------------

ClientCallback = Callable[[AsyncPeer], Union[Awaitable[Any], None]]


class AsyncServer:
    """A listening TCPServer or UDSServer for asyncio, made by start_server
    or start_unix_server. With a callback, every connection is taken as an
    AsyncPeer and handed to it in a new task; the peer is closed when the
    callback (or the coroutine it returns) finishes. Without one, take
    connections with take_connection(). close() (or `async with`) stops
    listening; connections already taken keep working."""

    def __init__(self, server: SocketServer[Any], client_connected_cb: Optional[ClientCallback] = None):
        self._server: Optional[SocketServer[Any]] = server
        self._reactor = _get_reactor()
        self._watch = _Watch(server, server=True)
        self._cb = client_connected_cb
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = asyncio.get_running_loop().create_future()
        self._accepting: Optional[asyncio.Task[Any]] = None
        if client_connected_cb is not None:
            self._accepting = asyncio.get_running_loop().create_task(self._accept_loop())

    def __repr__(self) -> str:
        return f"<AsyncServer {self._server!r}>" if self._server else "<AsyncServer closed>"

    @property
    def server(self) -> SocketServer[Any]:
        """The wrapped server."""
        if self._server is None:
            raise ValueError("AsyncServer was closed")
        return self._server

    @property
    def port(self) -> int:
        """The TCP port listened on (0 for a Unix domain server)."""
        s = self.server
        return s.get_local_port() if isinstance(s, TCPServer) else 0

    def is_serving(self) -> bool:
        return self._server is not None

    async def take_connection(self) -> AsyncPeer:
        """Waits for the next connection: a CONNECTED AsyncPeer. Raises
        GodotError (ERR_UNAVAILABLE) once the server is closed."""
        while True:
            server = self._server
            if server is None or self._reactor.closed:
                raise GodotError(Error.ERR_UNAVAILABLE, "take_connection: the server was closed")
            peer = server.take_connection()
            if peer is not None:
                if isinstance(peer, StreamPeerTCP):
                    peer.set_no_delay(True)
                return AsyncPeer(peer, self._reactor)
            await self._reactor.wait(self._watch, _ACCEPTABLE)

    async def _accept_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while self._server is not None:
            try:
                peer = await self.take_connection()
            except GodotError:
                return
            task = loop.create_task(self._serve(peer))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _serve(self, peer: AsyncPeer) -> None:
        assert self._cb is not None
        try:
            result = self._cb(peer)
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            raise
        except Exception as e:
            asyncio.get_running_loop().call_exception_handler({
                "message": "streampeer_tcp.aio: unhandled exception in client_connected_cb",
                "exception": e,
            })
        finally:
            peer.close()

    def close(self) -> None:
        """Stops listening and frees the server (waiting take_connection
        calls raise GodotError). Connections keep running. Idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        if not self._reactor.closed:
            self._reactor.forget(self._watch)
        server.free()
        if self._accepting is not None:
            self._accepting.cancel()
        if not self._closed.done():
            self._closed.set_result(None)

    async def wait_closed(self) -> None:
        """Waits until close() was called and the accepting task ended."""
        await asyncio.shield(self._closed)
        if self._accepting is not None:
            await asyncio.wait([self._accepting])

    async def serve_forever(self) -> None:
        """Runs until close() (or until cancelled, which closes)."""
        try:
            await asyncio.shield(self._closed)
        finally:
            self.close()

    async def __aenter__(self) -> AsyncServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
        await self.wait_closed()


async def start_server(client_connected_cb: Optional[ClientCallback], host: str = "*", port: int = 0) -> AsyncServer:
    """Listens on `host`:`port` over TCP ("*": every address; port 0: a
    free port, see AsyncServer.port) and hands each connection to
    `client_connected_cb` (a coroutine function or a plain function) as
    an AsyncPeer, in its own task. None: take them with take_connection().
    Raises GodotError when listening fails."""
    server = TCPServer()
    err = server.listen(port, host)
    if err != Error.OK:
        msg = last_error_message()
        server.free()
        raise GodotError(err, msg)
    return AsyncServer(server, client_connected_cb)


async def start_unix_server(client_connected_cb: Optional[ClientCallback], path: PathArg) -> AsyncServer:
    """start_server for a Unix domain socket at `path`."""
    server = UDSServer()
    err = server.listen(path)
    if err != Error.OK:
        msg = last_error_message()
        server.free()
        raise GodotError(err, msg)
    return AsyncServer(server, client_connected_cb)


__all__ = [
    "AsyncPeer", "AsyncServer", "GodotError", "close_loop_group", "open_connection", "open_unix_connection",
    "start_server", "start_unix_server", "uses_group_fd",
]
