"""streampeer_tcp.aio: asyncio connections and servers on one PollGroup per
event loop. Every test runs under asyncio.wait_for, so none can hang."""

import asyncio
import os
import resource
import shutil
import struct
import sys
import tempfile
import time

import pytest

from streampeer_tcp import Error, Event, GodotError, Status, StreamPeerBuffer, TCPServer, Vector2, aio, var_to_bytes

LINUX = sys.platform.startswith("linux")


def run(coro, timeout=30.0):
    """Runs `coro` on a new event loop, failing after `timeout` seconds."""
    async def main():
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(main())


async def echo_vars(peer):
    while True:
        try:
            value = await peer.get_var()
        except GodotError:
            return
        if await peer.put_var(value) != Error.OK:
            return


async def connected_pair():
    """(server, client, accepted) over loopback, without callbacks."""
    server = await aio.start_server(None, "127.0.0.1", 0)
    client = await aio.open_connection("127.0.0.1", server.port)
    accepted = await server.take_connection()
    return server, client, accepted


def closed_port():
    with TCPServer() as s:
        assert s.listen(0, "127.0.0.1") == Error.OK
        return s.get_local_port()


VALUES = [
    None, True, 42, -(2**63), 2.5, "héllo ✩", b"\x00\x01\x02",
    {"pos": Vector2(1, 2), "hp": 42, "tags": ["a", "b"]},
    [1, [2, [3, {"deep": None}]]],
    "x" * 100_000,
]


def test_echo_round_trips():
    async def main():
        server = await aio.start_server(echo_vars, "127.0.0.1", 0)
        assert server.port > 0 and server.is_serving()
        async with await aio.open_connection("127.0.0.1", server.port) as peer:
            assert peer.get_status() == Status.STATUS_CONNECTED
            assert aio.uses_group_fd() == LINUX
            for value in VALUES:
                assert await peer.put_var(value) == Error.OK
                assert await peer.get_var() == value
            # Pipelined: many sent before any is read.
            for i in range(50):
                assert await peer.put_var([i, "p"]) == Error.OK
            assert [await peer.get_var() for _ in range(50)] == [[i, "p"] for i in range(50)]
        assert peer.is_closed() and peer.get_status() == Status.STATUS_NONE
        peer.close()  # idempotent
        server.close()
        await server.wait_closed()
        assert not server.is_serving()
    run(main())


def test_raw_typed_and_string_values_match_the_sync_encoding():
    async def main():
        server, client, accepted = await connected_pair()
        assert await client.put_data(b"raw") == Error.OK
        assert await accepted.get_data(3) == (Error.OK, b"raw")
        for name, value in (("8", -3), ("u8", 250), ("16", -300), ("u16", 65000), ("32", -7), ("u32", 0xDEADBEEF),
                            ("64", -5), ("u64", 2**64 - 1), ("float", 0.5), ("double", 1e300), ("half", 0.33325195)):
            assert await getattr(client, "put_" + name)(value) == Error.OK
            got = await getattr(accepted, "get_" + name)()
            assert got == pytest.approx(value), name
        assert await client.put_utf8_string("héllo ✩") == Error.OK
        assert await accepted.get_utf8_string() == "héllo ✩"
        # The bytes on the wire are the sync API's (StreamPeerBuffer's).
        for big in (False, True):
            client.peer.big_endian = accepted.peer.big_endian = big
            ref = StreamPeerBuffer()
            ref.big_endian = big
            ref.put_var(VALUES[7])
            ref.put_u32(0x01020304)
            ref.put_utf8_string("s")
            assert await client.put_var(VALUES[7]) == Error.OK
            assert await client.put_u32(0x01020304) == Error.OK
            assert await client.put_utf8_string("s") == Error.OK
            want = ref.data_array
            assert await accepted.get_data(len(want)) == (Error.OK, want)
        # Godot 3's format.
        client.peer.variant_format = accepted.peer.variant_format = 3
        assert await client.put_var({"v": Vector2(3, 4)}) == Error.OK
        assert await accepted.get_var() == {"v": Vector2(3, 4)}
        client.close()
        accepted.close()
        server.close()
    run(main())


def test_large_transfer_waits_for_writable_and_never_blocks_the_loop():
    data = os.urandom(8 * 1024 * 1024)

    async def main():
        server, client, accepted = await connected_pair()
        ticks = 0
        stop = False

        async def ticker():
            nonlocal ticks
            while not stop:
                ticks += 1
                await asyncio.sleep(0.001)

        async def reader():
            got = bytearray()
            while len(got) < len(data):
                err, chunk = await accepted.get_partial_data(100_000)
                assert err == Error.OK and chunk
                got += chunk
                if len(got) < 2_000_000:
                    await asyncio.sleep(0.002)  # slow at first: the sender's buffers fill up
            return bytes(got)

        reactor = client._reactor
        plain_wait = reactor.wait
        writable_waits = 0

        async def counting_wait(watch, interest):
            nonlocal writable_waits
            writable_waits += interest == Event.WRITABLE
            return await plain_wait(watch, interest)

        reactor.wait = counting_wait
        t = asyncio.ensure_future(ticker())
        r = asyncio.ensure_future(reader())
        assert await client.put_data(data) == Error.OK
        assert await r == data
        stop = True
        await t
        assert ticks >= 10
        assert writable_waits >= 1  # the kernel took it in parts
        client.close()
        accepted.close()
        server.close()
    run(main())


def test_end_of_stream_and_closed_peers():
    async def main():
        server, client, accepted = await connected_pair()
        assert await accepted.put_data(b"ab") == Error.OK
        accepted.close()
        assert await client.get_data(5) == (Error.ERR_FILE_EOF, b"ab")
        assert client.get_status() == Status.STATUS_NONE
        with pytest.raises(GodotError) as e:
            await client.get_var()
        assert e.value.error == Error.FAILED
        assert await client.put_var(1) == Error.FAILED
        # get_var when the other side closes mid-wait.
        c2 = await aio.open_connection("127.0.0.1", server.port)
        a2 = await server.take_connection()
        pending = asyncio.ensure_future(c2.get_var())
        await asyncio.sleep(0.05)
        assert not pending.done()
        a2.close()
        with pytest.raises(GodotError) as e:
            await pending
        assert e.value.error == Error.ERR_FILE_EOF
        # Closing a peer wakes its own waiting read.
        c3 = await aio.open_connection("127.0.0.1", server.port)
        a3 = await server.take_connection()
        pending = asyncio.ensure_future(c3.get_var())
        await asyncio.sleep(0.05)
        c3.close()
        with pytest.raises(GodotError) as e:
            await pending
        assert e.value.error == Error.FAILED
        assert await c3.get_data(1) == (Error.FAILED, b"")
        for p in (client, c2, a3):
            p.close()
        server.close()
    run(main())


def test_messages_in_pieces_and_cancelled_reads_lose_nothing():
    async def main():
        server, client, accepted = await connected_pair()
        payload = var_to_bytes({"split": list(range(100))})
        msg = struct.pack("<I", len(payload)) + payload
        for piece in (msg[:2], msg[2:7], msg[7:-1]):
            assert await client.put_data(piece) == Error.OK
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(accepted.get_var(), 0.05)
        assert await client.put_data(msg[-1:] + msg) == Error.OK
        assert await accepted.get_var() == {"split": list(range(100))}
        assert await accepted.get_var() == {"split": list(range(100))}
        client.close()
        accepted.close()
        server.close()
    run(main())


def test_bad_length_prefixes_and_concurrent_reads():
    async def main():
        server, client, accepted = await connected_pair()
        assert await client.put_data(struct.pack("<i", -1)) == Error.OK
        with pytest.raises(GodotError) as e:
            await accepted.get_var()
        assert e.value.error == Error.ERR_INVALID_DATA
        accepted.peer.max_message_size = 16
        assert await client.put_var("y" * 100) == Error.OK
        with pytest.raises(GodotError) as e:
            await accepted.get_var()
        assert e.value.error == Error.ERR_INVALID_DATA
        first = asyncio.ensure_future(client.get_var())
        await asyncio.sleep(0.01)
        with pytest.raises(RuntimeError):
            await client.get_var()
        assert await accepted.put_var("for the first") == Error.OK
        assert await first == "for the first"
        client.close()
        accepted.close()
        server.close()
    run(main())


def test_connect_failures():
    async def main():
        t = time.monotonic()
        with pytest.raises(GodotError) as e:
            await aio.open_connection("127.0.0.1", closed_port())
        assert e.value.error == Error.ERR_CONNECTION_ERROR
        assert time.monotonic() - t < 10
        with pytest.raises(GodotError) as e:
            await aio.open_connection("nonexistent.invalid", 80)
        assert e.value.error == Error.ERR_CANT_RESOLVE
        with pytest.raises(GodotError):
            await aio.start_server(None, "not an address", 0)
    run(main())


def test_connect_by_name_keeps_the_loop_running():
    """A name is looked up off the loop (async connect): a ticker task runs
    all along, and the connection works."""
    async def main():
        server = await aio.start_server(echo_vars, "127.0.0.1", 0)
        ticks = 0
        stop = False

        async def ticker():
            nonlocal ticks
            while not stop:
                ticks += 1
                await asyncio.sleep(0)
        task = asyncio.ensure_future(ticker())
        peer = await aio.open_connection("localhost", server.port, timeout=10)
        assert peer.peer.async_connect
        await peer.put_var({"x": 1})
        assert await asyncio.wait_for(peer.get_var(), 10) == {"x": 1}
        stop = True
        await task
        assert ticks > 0
        peer.close()
        server.close()
    run(main())


def test_take_connection_close_and_wait_closed():
    async def main():
        async with await aio.start_server(None, "127.0.0.1", 0) as server:
            port = server.port
            pending = asyncio.ensure_future(server.take_connection())
            await asyncio.sleep(0.02)
            assert not pending.done()
            client = await aio.open_connection("127.0.0.1", port)
            accepted = await pending
            assert accepted.peer.get_connected_port() == client.peer.get_local_port()
            assert await client.put_var("hi") == Error.OK
            assert await accepted.get_var() == "hi"
            waiting = asyncio.ensure_future(server.take_connection())
            await asyncio.sleep(0.02)
        with pytest.raises(GodotError) as e:
            await waiting
        assert e.value.error == Error.ERR_UNAVAILABLE
        with pytest.raises(GodotError):
            await server.take_connection()
        with pytest.raises(GodotError):
            await aio.open_connection("127.0.0.1", port)
        # Connections taken before keep working.
        assert await accepted.put_var("still") == Error.OK
        assert await client.get_var() == "still"
        client.close()
        accepted.close()
    run(main())


def test_callback_errors_are_reported_and_the_peer_is_closed():
    async def main():
        reported = []
        asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: reported.append(ctx["exception"]))

        def plain(peer):  # a plain function: the peer is closed when it returns
            raise ValueError("boom")

        server = await aio.start_server(plain, "127.0.0.1", 0)
        client = await aio.open_connection("127.0.0.1", server.port)
        with pytest.raises(GodotError) as e:
            await client.get_var()
        assert e.value.error == Error.ERR_FILE_EOF
        assert len(reported) == 1 and isinstance(reported[0], ValueError)
        client.close()
        server.close()
        await server.wait_closed()
    run(main())


def test_polling_fallback_without_a_group_descriptor():
    async def main():
        aio._get_reactor(use_fd=False)  # as where PollGroup.fileno() is -1
        assert not aio.uses_group_fd()
        server = await aio.start_server(echo_vars, "127.0.0.1", 0)

        async def client(i):
            async with await aio.open_connection("127.0.0.1", server.port) as peer:
                for k in range(20):
                    assert await peer.put_var([i, k]) == Error.OK
                    assert await peer.get_var() == [i, k]
            return i

        assert sorted(await asyncio.gather(*(client(i) for i in range(5)))) == list(range(5))
        server.close()
        await server.wait_closed()
        aio.close_loop_group()
        assert aio.uses_group_fd() == LINUX  # a new group
    run(main())


def test_unix_domain_echo(tmp_path):
    d = str(tmp_path) if len(os.fsencode(str(tmp_path))) <= 80 else tempfile.mkdtemp(dir="/tmp")
    path = os.path.join(d, "aio.sock")

    async def main():
        server = await aio.start_unix_server(echo_vars, path)
        assert server.port == 0
        async with await aio.open_unix_connection(path) as peer:
            for value in VALUES:
                assert await peer.put_var(value) == Error.OK
                assert await peer.get_var() == value
        server.close()
        await server.wait_closed()

    try:
        run(main())
    finally:
        if d != str(tmp_path):
            shutil.rmtree(d, ignore_errors=True)


def test_a_wrapped_peer_keeps_bytes_the_library_read_ahead():
    async def main():
        server, client, accepted = await connected_pair()
        sync_peer = accepted.peer
        assert await client.put_data(b"abcdef") == Error.OK
        await asyncio.sleep(0.05)
        assert sync_peer.get_data(1) == (Error.OK, b"a")  # the library keeps "bcdef"
        wrapped = aio.AsyncPeer(sync_peer)
        accepted._peer = None  # hand the peer over
        assert await wrapped.get_data(5) == (Error.OK, b"bcdef")
        assert await client.put_var("after") == Error.OK
        assert await wrapped.get_var() == "after"
        client.close()
        wrapped.close()
        server.close()
    run(main())


CLIENTS, ROUNDS = 1000, 100


def test_thousand_concurrent_clients():
    """1000 clients on the loop at once, each doing 100 put_var / get_var
    round trips with an echo server in the same loop; every answer is
    checked. Connects are let in as the server takes them (at most 8 not
    taken yet: Godot's listen backlog is 8)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * CLIENTS + 100
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            pytest.skip(f"needs {need} descriptors, the limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))

    async def main():
        gate = asyncio.Semaphore(8)
        answered = 0

        async def handle(peer):
            gate.release()
            await echo_vars(peer)

        server = await aio.start_server(handle, "127.0.0.1", 0)

        async def client(i):
            nonlocal answered
            await gate.acquire()
            peer = await aio.open_connection("127.0.0.1", server.port)
            try:
                for k in range(ROUNDS):
                    assert await peer.put_var([i, k]) == Error.OK
                    assert await peer.get_var() == [i, k]
                    answered += 1
            finally:
                peer.close()

        t = time.monotonic()
        await asyncio.gather(*(client(i) for i in range(CLIENTS)))
        elapsed = time.monotonic() - t
        server.close()
        await server.wait_closed()
        return answered, elapsed

    answered, elapsed = run(main(), timeout=120)
    assert answered == CLIENTS * ROUNDS
    print(f"\n{CLIENTS} clients x {ROUNDS} round trips: {elapsed:.1f} s "
          f"({CLIENTS * ROUNDS / elapsed:.0f} round trips/s)")
