"""The Python package's ctypes table against the one description of the
ABI (tools/abi.py, read from the header): every function, its return type
and every parameter type, so a wrong argtypes entry fails here instead of
corrupting memory."""

import ctypes
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

import abi  # noqa: E402
from streampeer_tcp._ffi import SIGNATURES  # noqa: E402


def mismatches(table, funcs):
    """What differs between a ctypes table and the ABI description."""
    found = []
    names = {f["name"] for f in funcs}
    for missing in sorted(names - set(table)):
        found.append(f"{missing}: not in the table")
    for extra in sorted(set(table) - names):
        found.append(f"{extra}: in the table, not in the header")
    for f in funcs:
        if f["name"] not in table:
            continue
        restype, argtypes = table[f["name"]]
        want_ret, want_args = abi.ctypes_of(f)
        if restype is not want_ret:
            found.append(f"{f['name']}: returns {want_ret}, table says {restype}")
        if len(argtypes) != len(want_args):
            found.append(f"{f['name']}: {len(want_args)} parameters, table has {len(argtypes)}")
            continue
        for p, have, want in zip(f["params"], argtypes, want_args):
            if have is not want:
                found.append(f"{f['name']}: {p['name']} is {p['type']} ({want}), table says {have}")
    return found


def test_the_table_matches_the_header_by_type():
    funcs = abi.functions()
    assert len(funcs) > 100
    assert mismatches(SIGNATURES, funcs) == []


@pytest.mark.parametrize("change", ["width", "pointer", "return", "count", "missing"])
def test_a_wrong_entry_is_found(change):
    funcs = abi.functions()
    table = dict(SIGNATURES)
    restype, argtypes = table["sptcp_put_u32"]
    if change == "width":
        table["sptcp_put_u32"] = (restype, [argtypes[0], ctypes.c_uint16])
    elif change == "pointer":
        restype, argtypes = table["sptcp_get_u32"]
        table["sptcp_get_u32"] = (restype, [argtypes[0], ctypes.POINTER(ctypes.c_uint64)])
    elif change == "return":
        table["sptcp_buffer_get_size"] = (ctypes.c_int32, table["sptcp_buffer_get_size"][1])
    elif change == "count":
        table["sptcp_put_u32"] = (restype, argtypes[:1])
    else:
        del table["sptcp_uds_new"]
    assert len(mismatches(table, funcs)) == 1, mismatches(table, funcs)


def test_the_parser_refuses_what_it_cannot_read(tmp_path):
    header = tmp_path / "h.h"
    header.write_text("int32_t sptcp_ok(const char *host, int32_t port);\n"
                      "int32_t sptcp_odd(int (*callback)(void));\n")
    with pytest.raises(ValueError):
        abi.functions(str(header))
    header.write_text("int32_t sptcp_ok(const char *host, int32_t port);\nvoid sptcp_none(void);\n")
    assert abi.functions(str(header)) == [
        {"name": "sptcp_ok", "ret": "int32_t",
         "params": [{"type": "const char *", "name": "host"}, {"type": "int32_t", "name": "port"}]},
        {"name": "sptcp_none", "ret": "void", "params": []},
    ]


def test_the_def_file_lists_every_function():
    funcs = abi.functions()
    text = abi.def_file(funcs)
    assert text.startswith("LIBRARY streampeer_tcp.dll\nEXPORTS\n")
    assert [line.strip() for line in text.splitlines()[2:]] == [f["name"] for f in funcs]
