"""Calls every function declared in include/streampeer_tcp.h with hostile
arguments: NULL handles and pointers, invalid UTF-8, empty and huge
strings, out-of-range integers, zero and huge lengths (huge only with
NULL buffers: a real buffer with a wrong length breaks the C contract),
NaN and infinities. Each argument is varied in turn while the others hold a
valid value. New functions in the header are walked automatically, from
their C types alone.

Run as a script (a crash must not take pytest down); prints the function
before each call, so a crash names it, and ends with "abi-walk: N passed,
M failed". Checks: no crash; a NULL handle gives the documented "nothing"
value; every returned code, status or type is in its enum's range."""

import ctypes
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

sys.path.insert(0, os.path.join(HERE, "..", "tools"))

import abi  # noqa: E402
from streampeer_tcp import _ffi  # noqa: E402
lib, _ = _ffi.load()

INT32 = [1, 0, -1, -(2**31), 2**31 - 1, 70000]
UINT32 = [0, 1, 2**32 - 1]
INT64 = [0, -1, -(2**63), 2**63 - 1]
UINT64 = [0, 1, 2**64 - 1]
SIZES = [64, 0, 1, 2**64 - 1]
REALS = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 1e300]
STRINGS = [None, b"127.0.0.1", b"", b"\xff\xfe", b"a" * 100_000, b"*", b"nonexistent.invalid"]
BUF = 4096  # bytes behind every valid pointer argument
MAX_LEN = 64  # largest length given with a valid pointer (64 elements of 16 bytes fit)


def parse_header():
    """(return type, name, [(type, name)]) of every function, from the one
    ABI description (tools/abi.py)."""
    return [(f["ret"], f["name"], [(p["type"], p["name"]) for p in f["params"]]) for f in abi.functions()]


class Fresh:
    """Makes valid handles, and frees what the walk creates."""

    def __init__(self):
        self.owned = []

    def peer(self):
        p = lib.sptcp_peer_new()
        self.owned.append((lib.sptcp_peer_free, p))
        return p

    def uds(self):
        p = lib.sptcp_uds_new()
        self.owned.append((lib.sptcp_peer_free, p))
        return p

    def uds_server(self):
        s = lib.sptcp_uds_server_new()
        self.owned.append((lib.sptcp_server_free, s))
        return s

    def tls(self):
        p = lib.sptcp_tls_new()
        self.owned.append((lib.sptcp_peer_free, p))
        return p

    def tls_options(self):
        o = lib.sptcp_tls_options_client(None, None)
        self.owned.append((lib.sptcp_tls_options_free, o))
        return o

    def group(self):
        g = lib.sptcp_group_new()
        self.owned.append((lib.sptcp_group_free, g))
        return g

    def buffer(self):
        p = lib.sptcp_buffer_new()
        lib.sptcp_put_data(p, (ctypes.c_uint8 * 16)(*range(16)), 16)
        lib.sptcp_buffer_seek(p, 0)
        self.owned.append((lib.sptcp_peer_free, p))
        return p

    def server(self):
        s = lib.sptcp_server_new()
        self.owned.append((lib.sptcp_server_free, s))
        return s

    def variant(self, kind, keep=True):
        makers = [
            lambda: lib.sptcp_variant_new_int(5),
            lambda: lib.sptcp_variant_new_array(),
            lambda: lib.sptcp_variant_new_dictionary(),
            lambda: lib.sptcp_variant_new_string(b"text"),
            lambda: lib.sptcp_variant_new_object(b"Node"),
            lambda: lib.sptcp_variant_new_packed(29, (ctypes.c_uint8 * 4)(1, 2, 3, 4), 4),
        ]
        v = makers[kind % len(makers)]()
        if keep:
            self.owned.append((lib.sptcp_variant_free, v))
        return v

    def free_all(self):
        for free, h in reversed(self.owned):
            free(h)
        self.owned.clear()


def candidates(ctype, name, fresh, func):
    """(label, value) pairs for one parameter."""
    t = ctype.replace("const ", "").replace(" ", "")
    if t == "sptcp_peer*" and name == "stream":
        # A TLS peer takes the stream it is given: only NULL here (a real
        # one would be freed twice, by the TLS peer and by this walk).
        return [("NULL", None)]
    if t in ("sptcp_peer*",):
        return [("NULL", None), ("tcp", fresh.peer()), ("uds", fresh.uds()), ("buffer", fresh.buffer()),
                ("tls", fresh.tls())]
    if t == "sptcp_tls_options*":
        return [("NULL", None), ("client-options", fresh.tls_options())]
    if t == "sptcp_group*":
        return [("NULL", None), ("group", fresh.group())]
    if t == "sptcp_event*":
        return [("NULL", None), ("events", ctypes.create_string_buffer(BUF))]
    if t == "sptcp_server*":
        return [("NULL", None), ("server", fresh.server()), ("uds-server", fresh.uds_server())]
    if t == "sptcp_variant*":
        takes_ownership = not ctype.startswith("const") and name in ("item", "key", "value")
        if takes_ownership:
            # The callee owns what it is given, also on failure.
            return [("NULL", None)] + [(f"fresh{k}", ("fresh", k)) for k in range(6)]
        return [("NULL", None)] + [(f"v{k}", fresh.variant(k)) for k in range(6)]
    if t in ("char*",) and not ctype.startswith("const"):
        return [("NULL", None), ("buf", ctypes.create_string_buffer(BUF))]
    if t == "char*":
        return [("NULL" if v is None else repr(v)[:20], v) for v in STRINGS]
    if t == "char*const*":
        arr = (ctypes.c_char_p * 3)(b"a", b"\xff", None)
        return [("NULL", None), ("with-bad", arr)]
    if t in ("uint8_t*", "void*", "double*", "float*", "bool*", "int8_t*", "uint16_t*", "int16_t*",
             "int32_t*", "uint32_t*", "int64_t*", "uint64_t*", "size_t*", "char**", "uint8_t**",
             "sptcp_variant**", "void**"):
        return [("NULL", None), ("buf", ctypes.create_string_buffer(BUF))]
    if t == "int32_t" and name == "timeout_ms":
        # Waits: never one without a limit (an empty group would wait forever).
        return [(str(v), v) for v in (0, 1, -2, -(2**31))]
    if t == "int32_t":
        return [(str(v), v) for v in INT32]
    if t == "uint32_t":
        return [(str(v), v) for v in UINT32]
    if t == "int64_t":
        return [(str(v), v) for v in INT64]
    if t == "uint64_t":
        return [(str(v), v) for v in UINT64]
    if t in ("int8_t", "uint8_t", "int16_t", "uint16_t"):
        return [("0", 0), ("-1", -1), ("1", 1)]
    if t == "size_t":
        return [(str(v), v) for v in SIZES]
    if t in ("float", "double"):
        return [(repr(v), v) for v in REALS]
    if t == "bool":
        return [("false", False), ("true", True)]
    raise SystemExit(f"abi-walk: {func}: no hostile values for C type {ctype!r}: extend abi_walk.py")


def safe_combo(params, values):
    """Skips calls that break the C contract on purpose: a real buffer with
    a length larger than it holds."""
    for i, (ctype, _) in enumerate(params):
        if ctype.replace(" ", "") == "size_t" and i > 0 and params[i - 1][0].endswith("*"):
            if values[i - 1] is not None and values[i] > MAX_LEN:
                return False
    return True


def default_index(cands):
    """The benign default for a parameter: the first non-NULL candidate."""
    for i, (label, _) in enumerate(cands):
        if label != "NULL":
            return i
    return 0


NOTHING = {"sptcp_error": {31}, "bool": {False}, "int32_t": {0, -1}, "uint32_t": {0}, "size_t": {0},
           "int64_t": {-1, 0}, "sptcp_status": {0}, "sptcp_variant_type": {0}, "sptcp_tls_status": {0}}
HANDLES = {"sptcp_peer", "sptcp_server", "sptcp_variant", "sptcp_group", "sptcp_tls_options"}
OWNED = {"sptcp_peer *": lib.sptcp_peer_free, "sptcp_server *": lib.sptcp_server_free,
         "sptcp_group *": lib.sptcp_group_free,
         "sptcp_variant *": lib.sptcp_variant_free, "sptcp_tls_options *": lib.sptcp_tls_options_free}
# Functions whose pointer result is borrowed, never freed by the caller.
BORROWED = {"sptcp_tls_get_stream"}
RANGES = {"sptcp_error": range(0, 49), "sptcp_status": range(0, 4), "sptcp_variant_type": range(0, 39),
          "sptcp_tls_status": range(0, 5)}


def main():
    # String arguments double as Unix domain socket paths ("127.0.0.1",
    # "*"): keep the socket files they make out of the source tree.
    os.chdir(tempfile.mkdtemp(prefix="sptcp-abi-"))
    funcs = parse_header()
    passed = failed = 0
    for ret, name, params in funcs:
        if name.endswith("_free"):
            # Freeing anything but NULL here would free a handle still in use.
            print(f"abi-walk: {name}(NULL)", flush=True)
            getattr(lib, name)(None)
            passed += 1
            continue
        fn = getattr(lib, name)
        fresh = Fresh()
        cands = [candidates(ct, pn, fresh, name) for ct, pn in params]
        combos = [[default_index(c) for c in cands]]
        for i, c in enumerate(cands):
            for j in range(len(c)):
                combo = [default_index(x) for x in cands]
                combo[i] = j
                combos.append(combo)
        # A NULL buffer with a huge length must be refused, not used.
        for i in range(1, len(params)):
            if params[i][0].replace(" ", "") == "size_t" and params[i - 1][0].endswith("*"):
                combo = [default_index(x) for x in cands]
                combo[i - 1] = 0  # NULL
                combo[i] = len(cands[i]) - 1  # SIZE_MAX
                combos.append(combo)
        for combo in combos:
            values, labels = [], []
            for c, j in zip(cands, combo):
                label, v = c[j]
                if isinstance(v, tuple) and v[0] == "fresh":
                    v = fresh.variant(v[1], keep=False)
                values.append(v)
                labels.append(label)
            if not safe_combo(params, values):
                continue
            print(f"abi-walk: {name}({', '.join(labels)})", flush=True)
            args = [
                ctypes.cast(v, at) if isinstance(v, ctypes.Array) and at not in (ctypes.c_char_p,) else v
                for v, at in zip(values, fn.argtypes)
            ]
            r = fn(*args)
            ok = True
            base = ret.replace("const ", "").strip()
            if base in RANGES and r not in RANGES[base]:
                ok = False
            handle_first = params and params[0][0].replace("const ", "").split(" ")[0] in HANDLES
            if handle_first and values[0] is None:
                if base in NOTHING and r not in NOTHING[base]:
                    ok = False
                if base.endswith("*") and r:
                    ok = False
            # Owned results (new handles, copies, taken connections) are freed.
            if r and ret in OWNED and name not in BORROWED:
                OWNED[ret](r)
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"abi-walk: FAILED: {name}({', '.join(labels)}) returned {r!r}", flush=True)
        fresh.free_all()
    print(f"abi-walk: {len(funcs)} functions walked")
    left = os.listdir(".")
    if left:
        failed += 1
        print(f"abi-walk: FAILED: files left behind by the walk: {left}")
    os.rmdir(os.getcwd())
    print(f"abi-walk: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
