"""Bounded waits shared by the tests of the streampeer_tcp package: every
one gives up after its timeout, so no test hangs."""

import time


def wait_status(peer, want, timeout=5.0):
    """Polls `peer` until its status is `want` or `timeout` seconds pass;
    returns the last status."""
    end = time.monotonic() + timeout
    while peer.get_status() != want and time.monotonic() < end:
        peer.poll()
        time.sleep(0.001)
    return peer.get_status()


def take(server, timeout=5.0):
    """The next connection of `server` (fails the test after `timeout`)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.is_connection_available():
            peer = server.take_connection()
            assert peer is not None
            return peer
        time.sleep(0.001)
    raise AssertionError("no connection")
