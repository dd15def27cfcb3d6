"""The README's Python example: a server and a client in one script,
exchanging a Godot Dictionary with put_var / get_var over loopback."""

import time

from streampeer_tcp import Status, StreamPeerTCP, TCPServer, Vector2

with TCPServer() as server, StreamPeerTCP() as client:
    server.listen(0, "127.0.0.1")
    client.connect_to_host("127.0.0.1", server.get_local_port())
    while client.get_status() == Status.STATUS_CONNECTING:
        client.poll()                     # Godot 4: poll to make progress
        time.sleep(0.001)
    while not server.is_connection_available():
        time.sleep(0.001)
    with server.take_connection() as game:
        client.put_var({"pos": Vector2(1, 2), "hp": 42, "tags": ["a", "b"]})
        print(game.get_var())             # {'pos': Vector2(x=1.0, y=2.0), 'hp': 42, 'tags': ['a', 'b']}
        game.put_u32(7)
        print(client.get_u32(), client)   # 7 <StreamPeerTCP STATUS_CONNECTED 127.0.0.1:...>
