"""The README's "send a Dictionary to a Godot game" examples, in C and in
Python, run against a receiver: the library itself in both formats, and,
when godot3-server is installed, a real Godot 3.2 game."""

import ctypes
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

import sptcp
from sptcp import T, Tagged, lib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
C_EXAMPLE = os.path.join(ROOT, "build", "examples", "send_dictionary")
PY_EXAMPLE = os.path.join(ROOT, "examples", "send_dictionary.py")
EXPECTED = {"pos": Tagged(T["VECTOR2"], (1.0, 2.0)), "hp": 42, "tags": ["a", "b"]}


def example_command(kind, host, port, major):
    if kind == "c":
        return [C_EXAMPLE, host, str(port), str(major)]
    return [sys.executable, PY_EXAMPLE, host, str(port), str(major)]


def example_env():
    return dict(os.environ, STREAMPEER_TCP_LIB=os.environ.get("SPTCP_LIB", ""))


@pytest.mark.parametrize("kind", ["c", "python"])
@pytest.mark.parametrize("major", [4, 3])
def test_example_to_library_server(server, kind, major):
    if kind == "c" and not os.path.exists(C_EXAMPLE):
        pytest.fail(f"{C_EXAMPLE} is not built (make builds it before py-test)")
    port = lib.sptcp_server_get_local_port(server)
    proc = subprocess.Popen(example_command(kind, "127.0.0.1", port, major), env=example_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peer = sptcp.take_within(server, timeout=20.0)
    assert peer, proc.communicate(timeout=10)[0]
    try:
        assert lib.sptcp_set_variant_format(peer, major) == sptcp.OK
        out = ctypes.c_void_p()
        assert lib.sptcp_get_var(peer, False, ctypes.byref(out)) == sptcp.OK
        assert sptcp.from_variant(out) == EXPECTED
        lib.sptcp_variant_free(out)
        text = proc.communicate(timeout=20)[0]
        assert proc.returncode == 0 and "put_var: OK" in text, text
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        lib.sptcp_peer_free(peer)


GODOT = shutil.which("godot3-server")

GODOT_GAME = """extends SceneTree
func _init():
    var server = TCP_Server.new()
    if server.listen(int(OS.get_environment("SPTCP_PORT")), "127.0.0.1") != OK:
        print("GODOT cannot listen")
        quit(2)
        return
    print("GODOT listening")
    var start = OS.get_ticks_msec()
    while not server.is_connection_available() and OS.get_ticks_msec() - start < 20000:
        OS.delay_msec(1)
    var peer = server.take_connection()
    var msg = peer.get_var()
    var want = {"pos": Vector2(1, 2), "hp": 42, "tags": ["a", "b"]}
    if var2str(msg) == var2str(want):
        print("GODOT got the dictionary")
        quit(0)
    else:
        print("GODOT got ", var2str(msg))
        quit(1)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(GODOT is None, reason="godot3-server is not installed (apt-get install godot3-server)")
@pytest.mark.parametrize("kind", ["c", "python"])
def test_example_to_real_godot_game(tmp_path, kind):
    (tmp_path / "project.godot").write_text("config_version=4\n")
    (tmp_path / "game.gd").write_text(GODOT_GAME)
    port = free_port()
    game = subprocess.Popen([GODOT, "--path", str(tmp_path), "-s", "game.gd"],
                            env=dict(os.environ, SPTCP_PORT=str(port), LANG="C.UTF-8"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # The game listens as soon as it starts; retry the example until it does.
        deadline = time.monotonic() + 20
        while True:
            run = subprocess.run(example_command(kind, "127.0.0.1", port, 3), env=example_env(),
                                 capture_output=True, text=True, timeout=30)
            if run.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert run.returncode == 0, run.stdout + run.stderr
        out = game.communicate(timeout=30)[0]
        assert "GODOT got the dictionary" in out, out
        assert game.returncode == 0
    finally:
        if game.poll() is None:
            game.kill()
            game.communicate()


def test_group_echo_server_serves_two_thousand_clients():
    """examples/group_echo_server.c: one thread and one poll group serve
    2000 concurrent clients, each echo checked by the example itself."""
    exe = os.path.join(ROOT, "build", "examples", "group_echo_server")
    if not os.path.exists(exe):
        pytest.fail(f"{exe} is not built (make builds it before py-test)")
    run = subprocess.run([exe, "--selftest", "2000"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2000" in run.stdout, run.stdout


def test_tls_echo_example(tmp_path):
    """examples/tls_echo.c (the TLS guide's program), with certificates
    made by c-tests/tls_certs.sh."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is needed for the certificates (apt-get install openssl)")
    certs = tmp_path / "certs"
    subprocess.run(["sh", os.path.join(ROOT, "c-tests", "tls_certs.sh"), str(certs)], check=True,
                   capture_output=True, timeout=60)
    exe = os.path.join(ROOT, "build", "examples", "tls_echo")
    r = subprocess.run([exe, str(certs)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'the client got "hello over TLS" back' in r.stdout, r.stdout
    assert "client status after close_notify: DISCONNECTED" in r.stdout, r.stdout
