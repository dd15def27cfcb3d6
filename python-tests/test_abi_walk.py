"""Runs abi_walk.py (every exported function with hostile arguments) in a
child process, so that a crash fails this test instead of killing pytest."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_every_function_survives_hostile_arguments():
    run = subprocess.run([sys.executable, os.path.join(HERE, "abi_walk.py")], capture_output=True, text=True,
                         timeout=300)
    tail = "\n".join(run.stdout.splitlines()[-5:])
    assert run.returncode == 0, f"exit {run.returncode}; last lines:\n{tail}\n{run.stderr[-2000:]}"
    assert "0 failed" in run.stdout.splitlines()[-1], tail
    assert "functions walked" in run.stdout, tail
