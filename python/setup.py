"""The wheel bundles the native library, so it is platform-specific; the
Python code itself is plain ctypes and runs on any Python 3: tag it
py3-none-<platform>.

Where the library comes from:

* `make wheel` (python/build_wheel.sh) puts an already built library into
  the staged package, builds it against glibc 2.17 and sets
  STREAMPEER_TCP_WHEEL_PLATFORM=manylinux_2_17_x86_64.manylinux2014_x86_64,
  which becomes the wheel's platform tag.
* A source distribution (`make sdist`) carries the Rust crate in rust/; with
  no library in the package, building the wheel runs
  `cargo build --release --locked --lib` on it and bundles the result
  (cargo must be on PATH; CARGO and CARGO_TARGET_DIR are honoured).
* `pip install ./python` from a checkout builds the checkout's crate (..).
"""

import json
import os
import subprocess
import sys

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = "streampeer_tcp"
LIB_NAMES = ("libstreampeer_tcp.so", "libstreampeer_tcp.dylib", "streampeer_tcp.dll")


def crate_dir():
    """The Rust crate: rust/ in a source distribution, .. in a checkout."""
    for d in (os.path.join(HERE, "rust"), os.path.dirname(HERE)):
        manifest = os.path.join(d, "Cargo.toml")
        if os.path.exists(manifest) and 'name = "streampeer_tcp"' in open(manifest).read():
            return d
    return None


def cargo_build(crate):
    cargo = os.environ.get("CARGO", "cargo")
    cmd = [cargo, "build", "--release", "--locked", "--lib", "--message-format=json-render-diagnostics",
           "--manifest-path", os.path.join(crate, "Cargo.toml")]
    print("streampeer_tcp: " + " ".join(cmd), file=sys.stderr, flush=True)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, universal_newlines=True)
    except FileNotFoundError:
        raise SystemExit(
            f"streampeer_tcp: building from source needs Rust's cargo ({cargo!r} was not found): "
            "install Rust (rustup) or put cargo on PATH, or set CARGO to it"
        )
    if proc.returncode != 0:
        raise SystemExit(f"streampeer_tcp: cargo build failed (exit {proc.returncode}); its messages are above")
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and "cdylib" in msg["target"]["crate_types"]:
            for f in msg["filenames"]:
                if os.path.basename(f) in LIB_NAMES:
                    return f
    raise SystemExit("streampeer_tcp: cargo build finished but named no " + " / ".join(LIB_NAMES))


class BuildPy(build_py):
    def run(self):
        super().run()
        if any(os.path.exists(os.path.join(HERE, PACKAGE, n)) for n in LIB_NAMES):
            return  # staged by make wheel; package_data copied it already
        crate = crate_dir()
        if crate is None:
            raise SystemExit(
                "streampeer_tcp: no native library in the package and no Rust sources to build it from"
            )
        lib = cargo_build(crate)
        self.copy_file(lib, os.path.join(self.build_lib, PACKAGE, os.path.basename(lib)))


class BinaryDistribution(Distribution):
    """Not pure: the files go to the wheel's root as platlib, not to
    .data/purelib (where auditwheel refuses a shared library)."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", os.environ.get("STREAMPEER_TCP_WHEEL_PLATFORM") or platform


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildPy, "bdist_wheel": PlatformWheel})
