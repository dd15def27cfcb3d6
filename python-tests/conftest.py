import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sptcp  # noqa: E402


@pytest.fixture
def server():
    s = sptcp.lib.sptcp_server_new()
    assert sptcp.lib.sptcp_server_listen(s, 0, b"127.0.0.1") == sptcp.OK
    yield s
    sptcp.lib.sptcp_server_free(s)


@pytest.fixture
def pair(server):
    """A connected (client, accepted) pair over loopback."""
    lib = sptcp.lib
    port = lib.sptcp_server_get_local_port(server)
    client = lib.sptcp_peer_new()
    assert lib.sptcp_connect_to_host(client, b"127.0.0.1", port) == sptcp.OK
    accepted = sptcp.take_within(server)
    assert accepted
    assert sptcp.poll_until(client, sptcp.STATUS_CONNECTED) == sptcp.STATUS_CONNECTED
    yield client, accepted
    lib.sptcp_peer_free(accepted)
    lib.sptcp_peer_free(client)
