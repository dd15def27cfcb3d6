"""Checks that include/streampeer_tcp.hpp wraps the whole C API.

For every function tools/abi.py reads from include/streampeer_tcp.h, the
C++ header must call it (`sptcp_NAME(`) and declare its C++ counterpart,
named by the rule of the .hpp's banner: the C name without `sptcp_` and
without its class prefix (`server_`, `variant_`, `group_`), unless
CXX_NAME below says otherwise. Every enumerator of the C enums and every
SPTCP_EVENT_ bit must appear too. Functions left out on purpose go in
NOT_WRAPPED with the reason. Prints "coverage: N wrapped, N missing" and
exits 1 when something is missing.

    python3 c-tests/cxx/coverage.py
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import abi  # noqa: E402

HPP = os.path.join(ROOT, "include", "streampeer_tcp.hpp")
HEADER = os.path.join(ROOT, "include", "streampeer_tcp.h")

# C function -> the C++ name, where the rule does not give it.
CXX_NAME = {
    "sptcp_peer_new": "tcp",            # Peer::tcp()
    "sptcp_uds_new": "uds",             # Peer::uds()
    "sptcp_buffer_new": "buffer",       # Peer::buffer()
    "sptcp_server_new": "tcp",          # Server::tcp()
    "sptcp_uds_server_new": "uds",      # Server::uds()
    "sptcp_uds_server_listen": "uds_listen",
    "sptcp_group_new": "create",        # Group::create()
    "sptcp_peer_free": "~Peer",
    "sptcp_server_free": "~Server",
    "sptcp_variant_free": "~Variant",
    "sptcp_group_free": "~Group",
    "sptcp_tls_new": "tls",             # Peer::tls()
    "sptcp_tls_options_client": "client",          # TlsOptions::client()
    "sptcp_tls_options_client_unsafe": "client_unsafe",
    "sptcp_tls_options_server": "server",
    "sptcp_tls_options_free": "~TlsOptions",
    "sptcp_variant_new_bool": "Variant",    # implicit constructors
    "sptcp_variant_new_int": "Variant",
    "sptcp_variant_new_float": "Variant",
    "sptcp_variant_new_string": "Variant",
}

# C function -> why the C++ header has no method for it (it may still call it).
NOT_WRAPPED = {
    "sptcp_string_free": "internal: get_string / get_utf8_string return std::string",
    "sptcp_bytes_free": "internal: var_to_bytes returns std::vector<uint8_t>",
}

ENUMS = ("sptcp_error", "sptcp_status", "sptcp_tls_status", "sptcp_variant_type")


def cxx_name(c_name):
    if c_name in CXX_NAME:
        return CXX_NAME[c_name]
    name = c_name[len("sptcp_"):]
    for prefix in ("variant_new_", "server_", "variant_", "group_"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def c_enumerators(text):
    """Every SPTCP_ enumerator of the C enums, and the SPTCP_EVENT_ macros."""
    names = []
    for body, tag in re.findall(r"typedef enum \{(.*?)\}\s*(\w+);", text, re.S):
        if tag in ENUMS:
            body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
            names += re.findall(r"\b(SPTCP_\w+)\s*=", body)
    names += re.findall(r"^#define (SPTCP_EVENT_\w+)", text, re.M)
    return names


def main():
    hpp = open(HPP).read()
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", hpp, flags=re.S)  # calls must be real code
    missing = []
    funcs = abi.functions()
    for f in funcs:
        c = f["name"]
        if not re.search(r"\b%s\s*\(" % re.escape(c), code) and c not in NOT_WRAPPED:
            missing.append(f"{c}: never called in streampeer_tcp.hpp")
            continue
        if c in NOT_WRAPPED:
            continue
        cxx = cxx_name(c)
        pattern = (r"%s\s*\(" % re.escape(cxx)) if cxx.startswith("~") else (r"\b%s\s*\(" % re.escape(cxx))
        if not re.search(pattern, code):
            missing.append(f"{c}: no C++ counterpart named {cxx}()")
    enumerators = c_enumerators(open(HEADER).read())
    for e in enumerators:
        if not re.search(r"\b%s\b" % e, code):
            missing.append(f"{e}: no C++ enumerator or constant")
    for line in missing:
        print("coverage: " + line)
    for c in sorted(set(NOT_WRAPPED) - {f["name"] for f in funcs}):
        print(f"coverage: NOT_WRAPPED names {c}, which the C header no longer has")
        missing.append(c)
    wrapped = len(funcs) + len(enumerators) - len(missing)
    print(f"coverage: {wrapped} passed, {len(missing)} failed "
          f"({len(funcs)} C functions, {len(NOT_WRAPPED)} internal only; {len(enumerators)} constants)")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
