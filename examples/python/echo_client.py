"""An echo client on the streampeer_tcp package: connects, sends a few
messages and reads each echo back. Works with echo_server.py and with the
C demo server (examples/echo_server.c).

    python3 echo_client.py host port"""

import sys
import time

from streampeer_tcp import Error, Status, StreamPeerTCP


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    with StreamPeerTCP() as peer:
        peer.connect_timeout_ms = 5000
        if peer.connect_to_host(host, port) != Error.OK:
            print("client: connect_to_host failed", file=sys.stderr)
            return 1
        status = peer.get_status()
        print(f"client: status {status.name}")
        while status == Status.STATUS_CONNECTING:
            peer.poll()
            if peer.get_status() != status:
                print(f"client: status {status.name} -> {peer.get_status().name}")
                status = peer.get_status()
            time.sleep(0.001)
        if status != Status.STATUS_CONNECTED:
            return 1
        print(f"client: {peer!r}")
        peer.set_no_delay(True)
        for text in ("hello", "from Python", "over streampeer_tcp"):
            data = text.encode()
            if peer.put_data(data) != Error.OK:
                return 1
            err, echo = peer.get_data(len(data))
            print(f"client: sent {text!r}, echoed {echo.decode()!r}")
            if err != Error.OK or echo != data:
                return 1
    print("client: disconnected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
