"""The Python examples: echo server + client, the client against the C
demo server, and the asyncio echo server (self-test, with its client, and
its client against the plain echo server)."""

import os
import subprocess
import sys
import time

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PY_DIR = os.path.join(ROOT, "examples", "python")
C_SERVER = os.path.join(ROOT, "build", "examples", "echo_server")


def run_pair(server_cmd, tmp_path, client_script="echo_client.py"):
    port_file = tmp_path / "port"
    server = subprocess.Popen(server_cmd + ["0", "1", str(port_file)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        end = time.monotonic() + 10
        while not (port_file.exists() and port_file.read_text().strip()) and time.monotonic() < end:
            time.sleep(0.01)
        port = port_file.read_text().strip()
        client = subprocess.run([sys.executable, os.path.join(PY_DIR, client_script), "127.0.0.1", port],
                                capture_output=True, text=True, timeout=30)
        out = server.communicate(timeout=30)[0]
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    return client, out, server.returncode


def test_python_echo_pair(tmp_path):
    client, out, rc = run_pair([sys.executable, os.path.join(PY_DIR, "echo_server.py")], tmp_path)
    assert client.returncode == 0, client.stdout + client.stderr
    assert "echoed 'over streampeer_tcp'" in client.stdout
    assert rc == 0 and "served 1 client(s)" in out, out


def test_python_client_with_c_server(tmp_path):
    if not os.path.exists(C_SERVER):
        pytest.fail(f"{C_SERVER} is not built (make builds it before py-test)")
    client, out, rc = run_pair([C_SERVER], tmp_path)
    assert client.returncode == 0, client.stdout + client.stderr
    assert "echoed 'from Python'" in client.stdout
    assert rc == 0 and 'sent 11 bytes: "from Python"' in out, out


ASYNC_SERVER = os.path.join(PY_DIR, "asyncio_echo_server.py")


def test_asyncio_echo_self_test():
    r = subprocess.run([sys.executable, ASYNC_SERVER, "--self-test", "50", "--rounds", "20"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "self-test: 1000/1000 echoes right, 0 client(s) failed" in r.stdout, r.stdout


def test_asyncio_echo_server_with_its_client(tmp_path):
    port_file = tmp_path / "port"
    cmd = [sys.executable, ASYNC_SERVER, "--clients", "1", "--port-file", str(port_file)]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        end = time.monotonic() + 10
        while not (port_file.exists() and port_file.read_text().strip()) and time.monotonic() < end:
            time.sleep(0.01)
        port = port_file.read_text().strip()
        client = subprocess.run([sys.executable, os.path.join(PY_DIR, "asyncio_echo_client.py"), "127.0.0.1", port],
                                capture_output=True, text=True, timeout=30)
        out = server.communicate(timeout=30)[0]
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert client.returncode == 0, client.stdout + client.stderr
    assert "client: all echoes right" in client.stdout
    assert "echoed 'hello from asyncio'" in client.stdout
    assert server.returncode == 0, out
    assert "left after 4 message(s)" in out and "served 1 client(s)" in out, out


def test_asyncio_client_with_the_plain_python_server(tmp_path):
    client, out, rc = run_pair([sys.executable, os.path.join(PY_DIR, "echo_server.py")], tmp_path,
                               "asyncio_echo_client.py")
    assert client.returncode == 0, client.stdout + client.stderr
    assert "client: all echoes right" in client.stdout
    assert rc == 0 and "served 1 client(s)" in out, out


def test_quickstart_prints_what_its_comments_say():
    """The README's and the getting-started guide's Python example."""
    r = subprocess.run([sys.executable, os.path.join(PY_DIR, "quickstart.py")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "{'pos': Vector2(x=1.0, y=2.0), 'hp': 42, 'tags': ['a', 'b']}", r.stdout
    assert lines[1].startswith("7 <StreamPeerTCP STATUS_CONNECTED 127.0.0.1:"), r.stdout
