"""An asyncio client for asyncio_echo_server.py (or any server that echoes
what it gets, such as echo_server.py): sends a few Variants with put_var
and checks each echo from get_var.

    python3 asyncio_echo_client.py host port"""

import asyncio
import sys

from streampeer_tcp import Color, Error, GodotError, Vector2, aio

MESSAGES = [
    "hello from asyncio",
    {"pos": Vector2(1, 2), "hp": 42, "tags": ["a", "b"]},
    [1, 2.5, None, True, Color(1, 0, 0, 1)],
    b"\x00\x01\x02 bytes",
]


async def main(host: str, port: int) -> int:
    try:
        peer = await aio.open_connection(host, port, timeout=5)
    except GodotError as e:
        print(f"client: can't connect: {e}", file=sys.stderr)
        return 1
    async with peer:
        print(f"client: connected to {host}:{port}")
        for msg in MESSAGES:
            if await peer.put_var(msg) != Error.OK:
                return 1
            echo = await asyncio.wait_for(peer.get_var(), 10)
            print(f"client: sent {msg!r}, echoed {echo!r}")
            if echo != msg:
                return 1
    print("client: all echoes right, disconnected")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
