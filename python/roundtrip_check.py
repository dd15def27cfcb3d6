"""A loopback round trip through the installed package, run by
python/wheel_check.sh and python/sdist_check.sh from a scratch folder:
TCPServer.listen(0), connect, put_var / get_var both ways, and the library
must be the one installed in site-packages (not a build tree's)."""

import sys
import time

import streampeer_tcp
from streampeer_tcp import Status, StreamPeerTCP, TCPServer, Vector2

where = streampeer_tcp.library_path()
if "site-packages" not in where:
    sys.exit(f"round trip: FAILED: library loaded from {where}, not from the installed package")
sent = {"pos": Vector2(1, 2), "hp": 42, "tags": ["a", "b"], "ratio": 0.5, "nested": {"ok": True}}
with TCPServer() as server, StreamPeerTCP() as client:
    server.listen(0, "127.0.0.1")
    port = server.get_local_port()
    client.connect_to_host("127.0.0.1", port)
    deadline = time.monotonic() + 10
    while client.get_status() == Status.STATUS_CONNECTING and time.monotonic() < deadline:
        client.poll()
        time.sleep(0.001)
    while not server.is_connection_available() and time.monotonic() < deadline:
        time.sleep(0.001)
    if client.get_status() != Status.STATUS_CONNECTED or not server.is_connection_available():
        sys.exit(f"round trip: FAILED: no connection on 127.0.0.1:{port} ({client.get_status()!r})")
    with server.take_connection() as game:
        client.put_var(sent)
        got = game.get_var()
        game.put_var(got)
        back = client.get_var()
if got != sent or back != sent:
    sys.exit(f"round trip: FAILED: sent {sent!r}, the server got {got!r}, the client got back {back!r}")
print(f"round trip: streampeer_tcp {streampeer_tcp.__version__} from {where}: "
      f"put_var/get_var over 127.0.0.1:{port} gave back {back!r}")
