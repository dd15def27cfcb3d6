"""The Python package against Python's own socket module, over loopback,
both against the same far end written in C (`bench pyserver`, a process
of its own: the figure measures the client, not hand-offs of one GIL).
Prints RESULT lines like bench.c.

    python3 py_bench.py pingpong socket+package|socket|package [round trips]
    python3 py_bench.py bulk     socket+package|socket|package [MiB]

pingpong: u32 round trips against an echo, TCP_NODELAY on both ends; the
package does put_u32(i) / get_u32(), the socket module sendall(4 bytes) /
recv(4, MSG_WAITALL). bulk: 64 KiB blocks, both directions, TCP_NODELAY on
both ends: receive (the figure's "throughput") asks a C source for a
segment and reads it with get_data(65536) / recv(65536, MSG_WAITALL); send
("send_throughput") writes a segment to a C sink with put_data / sendall
and waits for its one-byte answer. The amount is per implementation (and
per direction).

With both implementations (socket+package) one process measures them in
alternating segments, the socket module first in the even segments and
the package first in the odd ones, each on its own connection opened at
the start, and adds "RESULT <figure> ratio <metric> <x> x": the package /
the socket module, the median over the units (two segments in a row, one
where each goes first) of the ratio within each unit (as bench.c's
raw+sptcp). The C far end is $SPTCP_BENCH_BIN
(bench/run.py sets it), else build/bench/bench."""

import os
import socket
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.environ.get("SPTCP_BENCH_BIN") or os.path.join(HERE, "..", "build", "bench", "bench")
CHUNK = 64 * 1024
SEGMENTS = 40  # ping-pong: segments per run
BULK_SEGMENT = 8 << 20  # bulk: bytes per segment


def far_end():
    """Starts `bench pyserver`: (process, port). It stops when its stdin closes."""
    proc = subprocess.Popen([BENCH, "pyserver"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    if len(line) != 2 or line[0] != "PORT":
        proc.kill()
        sys.exit(f"py_bench: {BENCH} pyserver did not start")
    return proc, int(line[1])


class SocketClient:
    """A connection with the socket module."""

    def __init__(self, port, mode):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.sendall(mode)

    def round_trip(self):
        s, waitall = self.s, socket.MSG_WAITALL

        def rt(i):
            s.sendall(i.to_bytes(4, "little"))
            s.recv(4, waitall)
        return rt

    def receive(self, nbytes):
        s, waitall = self.s, socket.MSG_WAITALL
        s.sendall(struct.pack("<Q", nbytes))
        got = 0
        while got < nbytes:
            n = len(s.recv(CHUNK, waitall))
            if not n:
                raise RuntimeError("socket: the source closed")
            got += n

    def send(self, nbytes, chunk):
        s = self.s
        s.sendall(struct.pack("<Q", nbytes))
        for _ in range(nbytes // CHUNK):
            s.sendall(chunk)
        if len(s.recv(1, socket.MSG_WAITALL)) != 1:
            raise RuntimeError("socket: the sink closed")

    def close(self):
        self.s.close()


class PackageClient:
    """A connection with the package, as a user would make it."""

    def __init__(self, port, mode):
        from streampeer_tcp import Status, StreamPeerTCP

        self.p = StreamPeerTCP()
        self.p.connect_to_host("127.0.0.1", port)
        while self.p.get_status() == Status.STATUS_CONNECTING:
            self.p.poll()
        if self.p.get_status() != Status.STATUS_CONNECTED:
            raise RuntimeError("package: could not connect")
        self.p.set_no_delay(True)
        self.p.put_data(mode)

    def round_trip(self):
        put, get = self.p.put_u32, self.p.get_u32

        def rt(i):
            put(i)
            get()
        return rt

    def receive(self, nbytes):
        p = self.p
        p.put_data(struct.pack("<Q", nbytes))
        got = 0
        while got < nbytes:
            n = len(p.get_data(CHUNK)[1])
            if not n:
                raise RuntimeError("package: the source closed")
            got += n

    def send(self, nbytes, chunk):
        p = self.p
        p.put_data(struct.pack("<Q", nbytes))
        for _ in range(nbytes // CHUNK):
            p.put_data(chunk)
        if len(p.get_data(1)[1]) != 1:
            raise RuntimeError("package: the sink closed")

    def close(self):
        self.p.disconnect_from_host()


CLIENTS = {"socket": SocketClient, "package": PackageClient}


def order(impls, seg):
    """Who goes first: the first implementation in the even segments."""
    return impls if seg % 2 == 0 else impls[::-1]


def unit_ends(seg, segs):
    """Whether segment seg (of segs) ends a unit: two segments in a row."""
    return seg % 2 == 1 or seg + 1 == segs


def pingpong(impls, n, port):
    clients = {i: CLIENTS[i](port, b"e") for i in impls}
    rts = {i: c.round_trip() for i, c in clients.items()}
    times = {i: [] for i in impls}
    segs = SEGMENTS if n >= SEGMENTS else 1
    rmed, rp99 = [], []
    perf = time.perf_counter
    unit_lo = 0
    for seg in range(segs):
        lo, hi = seg * n // segs, (seg + 1) * n // segs
        for impl in order(impls, seg):
            rt, out = rts[impl], times[impl]
            for i in range(lo, hi):
                t0 = perf()
                rt(i)
                out.append(perf() - t0)
        if len(impls) == 2 and unit_ends(seg, segs):
            a, b = (sorted(times[i][unit_lo:hi]) for i in ("socket", "package"))
            rmed.append(statistics.median(b) / statistics.median(a))
            rp99.append(b[int(len(b) * 0.99)] / a[int(len(a) * 0.99)])
            unit_lo = hi
    for impl in impls:
        t = sorted(times[impl])
        print(f"RESULT pypingpong {impl} median_us {statistics.median(t) * 1e6:.3f} us")
        print(f"RESULT pypingpong {impl} p99_us {t[int(len(t) * 0.99)] * 1e6:.3f} us")
        clients[impl].close()
    if rmed:
        print(f"RESULT pypingpong ratio median_us {statistics.median(rmed):.4f} x")
        print(f"RESULT pypingpong ratio p99_us {statistics.median(rp99):.4f} x")


def bulk(impls, mib, port):
    total = mib << 20
    segs = max(2, total // BULK_SEGMENT)
    seg = max(CHUNK, total // segs // CHUNK * CHUNK)
    chunk = b"x" * CHUNK
    sources = {i: CLIENTS[i](port, b"o") for i in impls}
    sinks = {i: CLIENTS[i](port, b"k") for i in impls}
    secs = {(i, d): 0.0 for i in impls for d in ("recv", "send")}
    rrecv, rsend = [], []
    perf = time.perf_counter
    for s in range(segs):
        if s % 2 == 0:
            took = {(i, d): 0.0 for i in impls for d in ("recv", "send")}
        for impl in order(impls, s):
            t0 = perf()
            sources[impl].receive(seg)
            dt = perf() - t0
            took[impl, "recv"] += dt
            secs[impl, "recv"] += dt
        for impl in order(impls, s):
            t0 = perf()
            sinks[impl].send(seg, chunk)
            dt = perf() - t0
            took[impl, "send"] += dt
            secs[impl, "send"] += dt
        if len(impls) == 2 and unit_ends(s, segs):
            a, b = "socket", "package"
            rrecv.append(took[a, "recv"] / took[b, "recv"])  # throughput: the package's / the socket module's
            rsend.append(took[a, "send"] / took[b, "send"])
    done = segs * seg / (1 << 20)
    for impl in impls:
        print(f"RESULT pybulk {impl} throughput {done / secs[impl, 'recv']:.1f} MiB/s")
        print(f"RESULT pybulk {impl} send_throughput {done / secs[impl, 'send']:.1f} MiB/s")
        sources[impl].close()
        sinks[impl].close()
    if rrecv:
        print(f"RESULT pybulk ratio throughput {statistics.median(rrecv):.4f} x")
        print(f"RESULT pybulk ratio send_throughput {statistics.median(rsend):.4f} x")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("bulk", "pingpong"):
        sys.exit(__doc__)
    figure = sys.argv[1]
    impls = sys.argv[2].split("+")
    if any(i not in CLIENTS for i in impls) or len(set(impls)) != len(impls):
        sys.exit("py_bench: implementations socket, package or socket+package")
    amount = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    proc, port = far_end()
    try:
        if figure == "bulk":
            bulk(impls, amount or 256, port)
        else:
            pingpong(impls, amount or 20000, port)
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
