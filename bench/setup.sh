#!/bin/sh
# Installs what `make bench` compares against (libuv, SDL2_net, OpenSSL's
# libssl and the openssl command for the TLS figures' certificates) when it can,
# and makes the benchmark's own virtual environment with matplotlib for the
# plots. Whatever cannot be installed is reported as skipped by the run.
if { ! pkg-config --exists libuv SDL2_net openssl 2>/dev/null || ! command -v openssl >/dev/null 2>&1; } && [ "$(id -u)" = 0 ]; then
    echo "bench: installing libuv1-dev libsdl2-net-dev libssl-dev openssl pkg-config"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libuv1-dev libsdl2-net-dev libssl-dev openssl pkg-config >/dev/null; } ||
        echo "bench: could not install libuv / SDL2_net / libssl-dev: they will be skipped"
fi
venv=build/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
    ${PYTHON:-python3} -m venv "$venv" &&
        "$venv/bin/pip" install --quiet --disable-pip-version-check matplotlib ||
        echo "bench: could not install matplotlib: no plots"
fi
