"""An echo server on the streampeer_tcp package: takes connections, sends
back whatever arrives, prints each status change.

    python3 echo_server.py [port [clients [port_file]]]

Port 0 (the default) picks a free port; it stops after `clients` clients
(default 1) have come and gone."""

import sys
import time

from streampeer_tcp import Error, Status, TCPServer


def main() -> int:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with TCPServer() as server:
        if server.listen(port, "127.0.0.1") != Error.OK:
            print("server: listen failed", file=sys.stderr)
            return 1
        print(f"server: listening on 127.0.0.1:{server.get_local_port()}", flush=True)
        if len(sys.argv) > 3:
            with open(sys.argv[3], "w") as f:
                f.write(f"{server.get_local_port()}\n")
        peers, served = {}, 0
        while served < clients:
            while server.is_connection_available():
                peer = server.take_connection()
                peers[peer] = peer.get_status()
                print(f"server: client from {peer.get_connected_host()}:{peer.get_connected_port()}, "
                      f"status {peers[peer].name}", flush=True)
            for peer, last in list(peers.items()):
                peer.poll()
                if peer.get_status() == Status.STATUS_CONNECTED:
                    err, data = peer.get_partial_data(4096)
                    if err == Error.OK and data:
                        print(f"server: echoing {data!r}", flush=True)
                        peer.put_data(data)
                status = peer.get_status()
                if status != last:
                    print(f"server: status {last.name} -> {status.name}", flush=True)
                    peers[peer] = status
                if status in (Status.STATUS_NONE, Status.STATUS_ERROR):
                    del peers[peer]
                    served += 1
            time.sleep(0.001)
    print(f"server: served {served} client(s), bye", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
