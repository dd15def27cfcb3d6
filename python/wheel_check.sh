#!/bin/sh
# Installs the wheel into a fresh virtual environment and runs the Python
# examples with it, from a scratch folder, with no build tree and no
# STREAMPEER_TCP_LIB in sight: the bundled library must be the one used.
# First python/manylinux_check.sh: the wheel's tag, the library's glibc
# symbol versions (none newer than 2.17) and `auditwheel show`, with the
# tools of the virtual environment $1 (.venv).
set -eu
wheel=$(ls build/wheels/streampeer_tcp-*.whl | head -n1)
tools=${1:-.venv}
sh python/manylinux_check.sh "$wheel" "$tools"
venv=build/wheel-venv
examples=$(pwd)/examples/python
rm -rf "$venv"
${PYTHON:-python3} -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$wheel"
py=$(cd "$venv/bin" && pwd)/python
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$examples"/*.py python/roundtrip_check.py "$scratch/"
cd "$scratch"
unset PYTHONPATH STREAMPEER_TCP_LIB SPTCP_LIB || true
where=$("$py" -c 'import streampeer_tcp; print(streampeer_tcp.library_path())')
case "$where" in
    */site-packages/streampeer_tcp/*) echo "wheel-check: library loaded from $where" ;;
    *) echo "wheel-check: FAILED: library loaded from $where, not from the wheel"; exit 1 ;;
esac
out=$("$py" quickstart.py)
echo "$out"
echo "$out" | grep -q "'hp': 42" || { echo "wheel-check: FAILED: quickstart"; exit 1; }
"$py" roundtrip_check.py
"$py" echo_server.py 0 1 port > server.log &
i=0
while [ ! -s port ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
"$py" echo_client.py 127.0.0.1 "$(cat port)"
wait $!
cat server.log
grep -q "served 1 client" server.log || { echo "wheel-check: FAILED: echo server"; exit 1; }
echo "wheel-check: 4 passed, 0 failed"
