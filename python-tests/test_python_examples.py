"""The Python examples: echo server + client, and the client against the C
demo server."""

import os
import subprocess
import sys
import time

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PY_DIR = os.path.join(ROOT, "examples", "python")
C_SERVER = os.path.join(ROOT, "build", "examples", "echo_server")


def run_pair(server_cmd, tmp_path):
    port_file = tmp_path / "port"
    server = subprocess.Popen(server_cmd + ["0", "1", str(port_file)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        end = time.monotonic() + 10
        while not (port_file.exists() and port_file.read_text().strip()) and time.monotonic() < end:
            time.sleep(0.01)
        port = port_file.read_text().strip()
        client = subprocess.run([sys.executable, os.path.join(PY_DIR, "echo_client.py"), "127.0.0.1", port],
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
