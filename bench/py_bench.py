"""The Python package against Python's own socket module, over loopback:
bulk throughput (64 KiB writes and reads, two threads) and ping-pong
latency (4-byte messages, TCP_NODELAY). Prints RESULT lines like bench.c.

    python3 py_bench.py bulk package|socket [MiB]
    python3 py_bench.py pingpong package|socket [round trips]"""

import socket
import statistics
import sys
import threading
import time

CHUNK = 64 * 1024


def socket_pair(nodelay):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    if nodelay:
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, server


def package_pair(nodelay):
    from streampeer_tcp import Status, StreamPeerTCP, TCPServer

    listener = TCPServer()
    listener.listen(0, "127.0.0.1")
    client = StreamPeerTCP()
    client.connect_to_host("127.0.0.1", listener.get_local_port())
    server = None
    while server is None:
        server = listener.take_connection()
    while client.get_status() == Status.STATUS_CONNECTING:
        client.poll()
    if nodelay:
        client.set_no_delay(True)
        server.set_no_delay(True)
    return client, server, listener


def bulk(impl, mib):
    total = mib << 20
    chunk = b"x" * CHUNK
    if impl == "socket":
        client, server = socket_pair(False)
        send = client.sendall

        def recv_exact(n):
            return len(server.recv(n, socket.MSG_WAITALL))
    else:
        client, server, _keep = package_pair(False)
        send = client.put_data

        def recv_exact(n):
            return len(server.get_data(n)[1])

    def sender():
        for _ in range(total // CHUNK):
            send(chunk)

    t = threading.Thread(target=sender)
    start = time.perf_counter()
    t.start()
    got = 0
    while got < total:
        got += recv_exact(CHUNK)
    secs = time.perf_counter() - start
    t.join()
    print(f"RESULT pybulk {impl} throughput {mib / secs:.1f} MiB/s")


def pingpong(impl, n):
    if impl == "socket":
        client, server = socket_pair(True)

        def echo():
            for _ in range(n):
                server.sendall(server.recv(4, socket.MSG_WAITALL))

        def rt(i):
            client.sendall(i.to_bytes(4, "little"))
            client.recv(4, socket.MSG_WAITALL)
    else:
        client, server, _keep = package_pair(True)

        def echo():
            for _ in range(n):
                server.put_u32(server.get_u32())

        def rt(i):
            client.put_u32(i)
            client.get_u32()

    t = threading.Thread(target=echo)
    t.start()
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        rt(i)
        times.append(time.perf_counter() - t0)
    t.join()
    times.sort()
    print(f"RESULT pypingpong {impl} median_us {statistics.median(times) * 1e6:.3f} us")
    print(f"RESULT pypingpong {impl} p99_us {times[int(len(times) * 0.99)] * 1e6:.3f} us")


if __name__ == "__main__":
    figure, impl = sys.argv[1], sys.argv[2]
    amount = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if figure == "bulk":
        bulk(impl, amount or 256)
    else:
        pingpong(impl, amount or 20000)
