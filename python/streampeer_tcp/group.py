"""PollGroup: many peers and servers, one wait (epoll on Linux; one `poll`
over the members elsewhere).

    from streampeer_tcp import Event, PollGroup, TCPServer

    with TCPServer() as server, PollGroup() as group:
        server.listen(4242)
        group.add(server)
        while True:
            for member, events in group.wait(1000):
                if events & Event.ACCEPTABLE:
                    group.add(member.take_connection(), Event.READABLE)
                elif events & (Event.HANGUP | Event.ERROR):
                    group.remove(member)
                    member.free()
                elif events & Event.READABLE:
                    err, data = member.get_partial_data(4096)
                    ...
"""

from __future__ import annotations

import ctypes
import itertools
import weakref
from ctypes import c_size_t, c_uint32, c_void_p
from typing import Any, Union

from ._native import GodotError, check, last_error_message, lib, to_error
from .enums import Error, Event
from .peer import StreamPeer, _timeout
from .server import SocketServer

Member = Union[StreamPeer, "SocketServer[Any]"]
"""What a PollGroup holds: any StreamPeer (TCP, Unix domain, buffer) or a
SocketServer (TCPServer, UDSServer)."""


class _CEvent(ctypes.Structure):
    """The library's `sptcp_event`."""

    _fields_ = [("user_data", c_void_p), ("events", c_uint32)]


class PollGroup:
    """A poll group: peers and servers waited on together, level-triggered.

    * A member that stays ready is reported by every wait() until its
      condition clears; one (member, Event) pair per ready member per
      wait, with every bit that holds. HANGUP and ERROR are reported
      whatever the interest; servers report ACCEPTABLE.
    * Membership follows the peer, not its socket: a peer that
      disconnects and connects again stays a member (without a socket it
      reports nothing).
    * A peer or server belongs to at most one group: adding it again, here
      or to another group, gives ERR_ALREADY_IN_USE; removing a
      non-member ERR_DOES_NOT_EXIST.
    * Buffers are members too: always WRITABLE, READABLE while bytes
      remain. Bytes the library has read ahead count as READABLE.
    * The group keeps its members alive until they are removed or the
      group is freed; freeing a member (member.free()) removes it.
    * fileno() is a descriptor for other event loops (select, selectors,
      asyncio's add_reader): readable exactly while some member may be
      ready; then call wait(0).

    Use a group and its members from one thread at a time. As a context
    manager it is freed on exit (its members stay alive and leave it)."""

    _handle: int | None = None

    def __init__(self) -> None:
        h = lib.sptcp_group_new()
        if not h:
            raise GodotError(Error.ERR_CANT_CREATE, last_error_message())
        self._handle = h
        self._members: dict[int, tuple[Any, Any]] = {}  # user_data id -> (member, data)
        self._ids = itertools.count(1)  # never 0: NULL user_data comes back as None
        self._ref = weakref.ref(self)
        self._events: Any = None
        self._n = c_size_t()

    # Lifetime -------------------------------------------------------------

    def free(self) -> None:
        """Releases the group. Its members stay alive and leave it (each
        can join another group). Called by the garbage collector and on
        leaving a `with` block; the group cannot be used afterwards."""
        h, self._handle = self._handle, None
        members = getattr(self, "_members", {})
        for member, _ in members.values():
            if member._group is not None and member._group[0] is self._ref:
                member._group = None
        members.clear()
        # At interpreter exit the module may already be torn down.
        if h and lib is not None:
            lib.sptcp_group_free(h)

    def __del__(self) -> None:
        self.free()

    def __enter__(self) -> PollGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.free()

    @property
    def handle(self) -> int:
        if not self._handle:
            raise ValueError("PollGroup was freed")
        return self._handle

    def __repr__(self) -> str:
        if not self._handle:
            return "<PollGroup freed>"
        return f"<PollGroup {len(self)} member(s) fd={self.fileno()}>"

    # Membership -----------------------------------------------------------

    def add(self, member: Member, interest: int = Event.READABLE, data: Any = None) -> Error:
        """Adds a peer (any kind, with or without a socket) waited for the
        events in `interest`, or a server (waited for connections:
        `interest` is ignored). `data` is kept with it
        (get_member_data). OK; ERR_ALREADY_IN_USE when it is in a group
        already (this one or another). Raises TypeError for anything else
        and ValueError for a freed member."""
        uid = next(self._ids)
        if isinstance(member, StreamPeer):
            err = lib.sptcp_group_add_peer(self.handle, member.handle, int(interest) & 0xFFFFFFFF, uid)
        elif isinstance(member, SocketServer):
            err = lib.sptcp_group_add_server(self.handle, member.handle, uid)
        else:
            raise TypeError(f"a PollGroup holds peers and servers, not {type(member).__name__}")
        err = to_error(err)
        if err == Error.OK:
            self._members[uid] = (member, data)
            member._group = (self._ref, uid)
        return err

    def remove(self, member: Member) -> Error:
        """Takes a member out (it stays alive). OK; ERR_DOES_NOT_EXIST when
        it is not in this group (also for a member already freed: freeing
        took it out)."""
        if not isinstance(member, (StreamPeer, SocketServer)):
            raise TypeError(f"a PollGroup holds peers and servers, not {type(member).__name__}")
        if not member._handle:
            return Error.ERR_DOES_NOT_EXIST
        if isinstance(member, StreamPeer):
            err = to_error(lib.sptcp_group_remove_peer(self.handle, member.handle))
        else:
            err = to_error(lib.sptcp_group_remove_server(self.handle, member.handle))
        if err == Error.OK:
            ref = member._group
            member._group = None
            if ref is not None:
                self._forget(ref[1])
        return err

    def set_interest(self, peer: StreamPeer, interest: int) -> Error:
        """Changes which events a member peer is waited for (Event bits;
        0 still reports HANGUP and ERROR). OK; ERR_DOES_NOT_EXIST when it
        is not in this group; ERR_INVALID_PARAMETER for a server (servers
        always wait for connections)."""
        if isinstance(peer, SocketServer):
            return Error.ERR_INVALID_PARAMETER
        if not isinstance(peer, StreamPeer):
            raise TypeError(f"set_interest takes a peer, not {type(peer).__name__}")
        return to_error(lib.sptcp_group_set_interest(self.handle, peer.handle, int(interest) & 0xFFFFFFFF))

    def _forget(self, uid: int) -> None:
        """Drops a member from the bookkeeping (it was freed or removed)."""
        self._members.pop(uid, None)

    def __len__(self) -> int:
        """How many members the group has."""
        return lib.sptcp_group_size(self.handle)

    def __contains__(self, member: object) -> bool:
        ref = getattr(member, "_group", None)
        return ref is not None and ref[0] is self._ref and ref[1] in self._members

    def members(self) -> list[Member]:
        """The members, in the order they were added."""
        return [m for m, _ in self._members.values()]

    def get_member_data(self, member: Member) -> Any:
        """The `data` the member was added with. Raises KeyError for a
        non-member."""
        if member not in self:
            raise KeyError(member)
        return self._members[member._group[1]][1]

    # Waiting --------------------------------------------------------------

    def wait(self, timeout_ms: int = -1, max_events: int = 64) -> list[tuple[Member, Event]]:
        """Waits until at least one member is ready or `timeout_ms` passes
        (-1: no limit, 0: just look): a list of (member, Event) pairs, at
        most `max_events`, one per ready member with every bit that holds;
        empty after the timeout. When more members are ready than
        `max_events`, the next waits report the others first. The GIL is
        released while waiting. Raises GodotError (ERR_INVALID_PARAMETER
        for a timeout below -1) and ValueError for max_events < 1."""
        return [(entry[0], Event(bits)) for entry, bits in self._wait_entries(timeout_ms, max_events)]

    def _wait_entries(self, timeout_ms: int, max_events: int) -> list[tuple[tuple[Any, Any], int]]:
        """wait() as ((member, data), event bits) pairs (for aio)."""
        if max_events < 1:
            raise ValueError("max_events must be at least 1")
        events = self._events
        if events is None or len(events) < max_events:
            events = self._events = (_CEvent * max_events)()
        n = self._n
        check(lib.sptcp_group_wait(self.handle, _timeout(timeout_ms), events, max_events, ctypes.byref(n)))
        members = self._members
        out = []
        for i in range(n.value):
            ev = events[i]
            entry = members.get(ev.user_data)
            if entry is not None:
                out.append((entry, ev.events))
        return out

    def fileno(self) -> int:
        """The group's descriptor (the epoll descriptor on Linux) for
        another event loop: readable exactly while some member may be ready
        (bytes buffered in the library included); then call wait(0). -1
        where the system has none (Windows, macOS): poll wait(0) instead.
        Borrowed: never close it."""
        return lib.sptcp_group_get_fd(self.handle)


__all__ = ["PollGroup", "Member"]
