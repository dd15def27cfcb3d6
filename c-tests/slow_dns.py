#!/usr/bin/env python3
"""A slow DNS server for c-tests/faults.sh (standard library only).

    slow_dns.py serve DELAY_MS [ADDR [PORT]]   answer every query after DELAY_MS
    slow_dns.py probe [ADDR [PORT]]            exit 0 once a server answers (10 s at most)

Answers, each DELAY_MS after the query arrived, every query in a thread
of its own (glibc sends the A and AAAA queries at once):
  * slow.test and any name under it (free.slow.test, ...): A -> 127.0.0.1,
    every other type (AAAA included) -> NOERROR with no answer;
  * every other name -> NXDOMAIN.
Names under slow.test exist because the library caches successful lookups
for the life of the process: each slow lookup in one run needs a name of
its own. Run inside the test's network namespace only (it binds port 53).
"""
import socket
import struct
import sys
import threading
import time

SLOW = ("slow", "test")
TYPE_A = 1


def parse_question(query):
    """(id, flags, labels, qtype, end of the question) or None."""
    if len(query) < 12:
        return None
    ident, flags, qdcount = struct.unpack("!HHH", query[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    labels, pos = [], 12
    while True:
        if pos >= len(query):
            return None
        n = query[pos]
        pos += 1
        if n == 0:
            break
        if n & 0xC0 or pos + n > len(query):
            return None
        labels.append(query[pos:pos + n].decode("ascii", "replace").lower())
        pos += n
    if pos + 4 > len(query):
        return None
    qtype, _qclass = struct.unpack("!HH", query[pos:pos + 4])
    return ident, flags, labels, qtype, pos + 4


def answer(query):
    parsed = parse_question(query)
    if parsed is None:
        return None
    ident, flags, labels, qtype, end = parsed
    question = query[12:end]
    exists = tuple(labels[-2:]) == SLOW
    rcode = 0 if exists else 3  # NOERROR / NXDOMAIN
    # QR, the query's opcode and RD, AA, RA
    out_flags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode
    records = b""
    if exists and qtype == TYPE_A:
        # a pointer to the name in the question, A, IN, TTL 60, 4 bytes
        records = struct.pack("!HHHIH", 0xC00C, TYPE_A, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    header = struct.pack("!HHHHHH", ident, out_flags, 1, 1 if records else 0, 0, 0)
    return header + question + records, ".".join(labels), qtype, rcode


def log(line):
    sys.stdout.write("slow_dns: " + line + "\n")  # one write: threads do not interleave
    sys.stdout.flush()


def serve(delay_ms, addr, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    log("listening on %s:%d, delay %d ms" % (addr, port, delay_ms))

    def reply_later(data, peer, arrived):
        result = answer(data)
        if result is None:
            return
        reply, name, qtype, rcode = result
        time.sleep(max(0.0, arrived + delay_ms / 1000.0 - time.monotonic()))
        sock.sendto(reply, peer)
        log("%s type %d -> rcode %d after %d ms" % (name, qtype, rcode, (time.monotonic() - arrived) * 1000))

    while True:
        data, peer = sock.recvfrom(4096)
        threading.Thread(target=reply_later, args=(data, peer, time.monotonic()), daemon=True).start()


def probe(addr, port):
    query = struct.pack("!HHHHHH", 0x5eed, 0x0100, 1, 0, 0, 0)
    query += b"\x05probe\x08slow-dns\x00" + struct.pack("!HH", TYPE_A, 1)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(max(0.1, min(5.0, end - time.monotonic())))
        try:
            sock.connect((addr, port))
            sock.send(query)
            if sock.recv(4096)[:2] == query[:2]:
                return 0
        except OSError:  # not listening yet (refused) or no answer in time
            time.sleep(0.1)
        finally:
            sock.close()
    print("slow_dns: no answer from %s:%d within 10 s" % (addr, port), file=sys.stderr)
    return 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "serve":
        addr = argv[2] if len(argv) > 2 else "127.0.0.1"
        port = int(argv[3]) if len(argv) > 3 else 53
        serve(int(argv[1]), addr, port)
        return 0
    if len(argv) >= 1 and argv[0] == "probe":
        addr = argv[1] if len(argv) > 1 else "127.0.0.1"
        port = int(argv[2]) if len(argv) > 2 else 53
        return probe(addr, port)
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
