"""An asyncio echo server on streampeer_tcp.aio: every connection is served
by a coroutine that sends back each Variant it gets (put_var / get_var),
all on one event loop, with no thread per connection.

    python3 asyncio_echo_server.py [--host H] [--port P] [--clients N] [--port-file F]
    python3 asyncio_echo_server.py --self-test N [--rounds R]

Serving: port 0 (the default) picks a free port, printed (and written to
the port file); it stops after N clients (--clients, default 0: never)
have come and gone. Talk to it with asyncio_echo_client.py, or from Godot
with StreamPeerTCP.put_var / get_var.

Self-test: starts the server and N clients in this process, each doing R
round trips (default 10), checks every echo and prints a summary; exit
status 0 when all were right."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from streampeer_tcp import Error, GodotError, Vector2, aio


async def echo(peer: aio.AsyncPeer) -> int:
    """Echoes Variants until the client goes away; returns how many."""
    count = 0
    while True:
        try:
            value = await peer.get_var()
        except GodotError:  # the client closed (ERR_FILE_EOF) or sent garbage
            return count
        if await peer.put_var(value) != Error.OK:
            return count
        count += 1


async def serve(host: str, port: int, clients: int, port_file: str | None) -> int:
    done = asyncio.Event()
    served = 0

    async def handle(peer: aio.AsyncPeer) -> None:
        nonlocal served
        who = f"{peer.peer.get_connected_host()}:{peer.peer.get_connected_port()}"
        print(f"server: client from {who}", flush=True)
        n = await echo(peer)
        served += 1
        print(f"server: {who} left after {n} message(s)", flush=True)
        if clients and served >= clients:
            done.set()

    server = await aio.start_server(handle, host, port)
    print(f"server: listening on {host}:{server.port}", flush=True)
    if port_file:
        with open(port_file, "w") as f:
            f.write(f"{server.port}\n")
    async with server:
        await done.wait()
    print(f"server: served {served} client(s), bye", flush=True)
    return 0


async def self_test(n: int, rounds: int) -> int:
    # Connects are let in as the server takes them: Godot's listen backlog
    # is 8, and a full backlog makes the kernel retry connects a second
    # later.
    gate = asyncio.Semaphore(8)

    async def handle(peer: aio.AsyncPeer) -> None:
        gate.release()
        await echo(peer)

    server = await aio.start_server(handle, "127.0.0.1", 0)
    print(f"self-test: server on 127.0.0.1:{server.port}, {n} clients x {rounds} round trips", flush=True)

    async def client(i: int) -> int:
        await gate.acquire()
        good = 0
        async with await aio.open_connection("127.0.0.1", server.port) as peer:
            for k in range(rounds):
                msg = {"client": i, "round": k, "pos": Vector2(i, k)}
                if await peer.put_var(msg) != Error.OK:
                    break
                good += await peer.get_var() == msg
        return good

    start = time.monotonic()
    results = await asyncio.gather(*(client(i) for i in range(n)), return_exceptions=True)
    elapsed = time.monotonic() - start
    server.close()
    await server.wait_closed()
    good = sum(r for r in results if isinstance(r, int))
    failed = [r for r in results if not isinstance(r, int)]
    for e in failed[:3]:
        print(f"self-test: a client failed: {e!r}", file=sys.stderr)
    total = n * rounds
    print(f"self-test: {good}/{total} echoes right, {len(failed)} client(s) failed, {elapsed:.2f} s "
          f"({good / elapsed if elapsed else 0:.0f} round trips/s), group fd: {aio.uses_group_fd()}", flush=True)
    return 0 if good == total and not failed else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--clients", type=int, default=0, help="stop after this many clients (0: never)")
    ap.add_argument("--port-file", help="write the port listened on to this file")
    ap.add_argument("--self-test", type=int, metavar="N", help="run N clients against the server and stop")
    ap.add_argument("--rounds", type=int, default=10, help="round trips per self-test client")
    args = ap.parse_args()
    try:
        if args.self_test is not None:
            return asyncio.run(self_test(args.self_test, args.rounds))
        return asyncio.run(serve(args.host, args.port, args.clients, args.port_file))
    except KeyboardInterrupt:
        return 0
    except GodotError as e:
        print(f"server: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
