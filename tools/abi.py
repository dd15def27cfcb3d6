"""The one description of the C ABI, read from include/streampeer_tcp.h.

Every exported function with its return type and its parameters (C type and
name). Everything that needs the list of functions takes it from here: the
Windows .def (`make windows`), the ABI walk (python-tests/abi_walk.py), the
check of the Python package's ctypes table (python-tests/test_abi.py) and
the API reference (tools/docs.py, through `declarations()`, which adds the
doc comments and the constants, enums and types).

    python3 tools/abi.py json   # the description, as JSON
    python3 tools/abi.py def    # a Windows module-definition file
    python3 tools/abi.py count  # how many functions
    python3 tools/abi.py decls  # every declaration with its doc comment (JSON)

The header is cbindgen's output, whose declarations have one fixed shape:
`RETURN sptcp_NAME(TYPE NAME, ...);` after a doc comment, each on one line
or wrapped inside the parentheses. A declaration this parser cannot read is
an error, never skipped.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.normpath(os.path.join(HERE, "..", "include", "streampeer_tcp.h"))

# The C types the header uses, and how each is passed through ctypes.
SCALARS = {
    "bool": "c_bool", "int8_t": "c_int8", "uint8_t": "c_uint8", "int16_t": "c_int16",
    "uint16_t": "c_uint16", "int32_t": "c_int32", "uint32_t": "c_uint32", "int64_t": "c_int64",
    "uint64_t": "c_uint64", "size_t": "c_size_t", "float": "c_float", "double": "c_double",
}
ENUMS = {"sptcp_error", "sptcp_status", "sptcp_tls_status", "sptcp_variant_type"}
HANDLES = {"sptcp_peer", "sptcp_server", "sptcp_variant", "sptcp_group", "sptcp_tls_options"}
# Structs passed by pointer (arrays the caller provides).
STRUCTS = {"sptcp_event"}

_DECL = re.compile(r"^([A-Za-z_][\w \*]*?)\s*\b(sptcp_\w+)\(([^;{}]*?)\);", re.M | re.S)
_PARAM = re.compile(r"^((?:const\s+)?[A-Za-z_]\w*(?:\s*\*\s*(?:const\s*)?)*)\s*\b([A-Za-z_]\w*)$")


def _norm(ctype):
    """A C type in one spelling: "const char *", "sptcp_variant **"."""
    t = re.sub(r"\s*\*\s*", " *", " ".join(ctype.split()))
    return t.replace("* *", "**").replace("* const", "*const").strip()


def functions(header=HEADER):
    """[{"name", "ret", "params": [{"type", "name"}]}] in header order."""
    text = open(header).read()
    found = []
    for ret, name, args in _DECL.findall(text):
        params = []
        args = " ".join(args.split())
        if args != "void":
            for a in args.split(","):
                m = _PARAM.match(a.strip())
                if not m:
                    raise ValueError(f"{name}: cannot read parameter {a.strip()!r}")
                params.append({"type": _norm(m.group(1)), "name": m.group(2)})
        found.append({"name": name, "ret": _norm(ret), "params": params})
    # Every sptcp_ name followed by "(" at the start of a line is a
    # declaration this parser must have read.
    declared = set(re.findall(r"^[A-Za-z_][\w \*]*?\b(sptcp_\w+)\(", text, re.M))
    missed = declared - {f["name"] for f in found}
    if missed:
        raise ValueError(f"declarations not understood: {sorted(missed)}")
    return found


_DOC = re.compile(r"/\*\*(.*?)\*/", re.S)
_KINDS = [
    ("define", re.compile(r"^#define (SPTCP_\w+)[ \t]+([^\n]*)$", re.M)),
    ("enum", re.compile(r"^typedef enum \{(.*?)^\} (\w+);", re.M | re.S)),
    ("struct", re.compile(r"^typedef struct \{(.*?)^\} (\w+);", re.M | re.S)),
    ("opaque", re.compile(r"^typedef struct (\w+) (\w+);", re.M)),
]
_VARIANT = re.compile(r"(?:/\*\*(.*?)\*/\s*)?\b(SPTCP_\w+)\s*=\s*([^,\n]+),", re.S)


def doc_text(comment):
    """The text of a `/** ... */` comment's inside, without the leading
    ` * ` of each line; paragraphs and indentation kept."""
    lines = comment.strip("\n").split("\n")
    out = []
    for line in lines:
        line = line.strip()
        if line.startswith("*"):
            line = line[1:]
            if line.startswith(" "):
                line = line[1:]
        out.append(line.rstrip())
    return "\n".join(out).strip("\n").strip()


def _doc_before(text, docs, pos):
    """The doc comment that ends right before `pos` (only white space
    between), or ""."""
    for start, end, body in reversed(docs):
        if end <= pos:
            return doc_text(body) if text[end:pos].strip() == "" else ""
    return ""


def declarations(header=HEADER):
    """Everything the header declares, in header order, each with its doc
    comment: {"kind": "define" | "enum" | "struct" | "opaque" | "function",
    "name", "doc", "code" (the declaration as written), "pos"}, plus
    "value" (define), "values" [{"name", "value", "doc"}] (enum), and for a
    function the `functions()` entry as "func". The include guard is left
    out. Fails, like `functions()`, on a declaration it cannot read."""
    text = open(header).read()
    docs = [(m.start(), m.end(), m.group(1)) for m in _DOC.finditer(text)]
    items = []
    for kind, rx in _KINDS:
        for m in rx.finditer(text):
            item = {"kind": kind, "pos": m.start(), "code": m.group(0), "doc": _doc_before(text, docs, m.start())}
            if kind == "define":
                item.update(name=m.group(1), value=m.group(2).strip())
            elif kind == "opaque":
                item["name"] = m.group(2)
            else:
                item["name"] = m.group(2)
                if kind == "enum":
                    item["values"] = [{"name": v.group(2), "value": v.group(3).strip(),
                                       "doc": doc_text(v.group(1)) if v.group(1) else ""}
                                      for v in _VARIANT.finditer(m.group(1))]
            items.append(item)
    funcs = {f["name"]: f for f in functions(header)}
    seen = set()
    for m in _DECL.finditer(text):
        name = m.group(2)
        items.append({"kind": "function", "name": name, "pos": m.start(), "code": " ".join(m.group(0).split()),
                      "doc": _doc_before(text, docs, m.start()), "func": funcs[name]})
        seen.add(name)
    if seen != set(funcs):
        raise ValueError(f"declarations and functions() disagree: {sorted(seen ^ set(funcs))}")
    items.sort(key=lambda i: i["pos"])
    return items


def ctypes_name(ctype, returned=False, freed=False):
    """How a C type travels through ctypes, as the name of the ctypes type
    ("c_int32", "POINTER(c_size_t)", "c_void_p", "c_char_p", None for void).
    Handles and untyped memory are c_void_p, and so is whatever a `_free`
    function takes (`freed`); enums are c_int32; strings in, and static
    strings out, are c_char_p; every out pointer to a pointer is
    POINTER(c_void_p), and an array of strings in POINTER(c_char_p)."""
    if ctype == "const char *const *":
        return "POINTER(c_char_p)"
    t = ctype.replace("const ", "").replace("*const", "*").strip()
    base, stars = t.rstrip(" *"), t.count("*")
    if freed and stars:
        return "c_void_p"
    if stars == 0:
        if base == "void":
            return None
        if base in ENUMS:
            return "c_int32"
        if base in SCALARS:
            return SCALARS[base]
    if stars == 1:
        if base == "char":
            return "c_char_p"
        if base in HANDLES or base in STRUCTS or base == "void":
            return "c_void_p"
        if base in SCALARS:
            return "c_void_p" if returned else f"POINTER({SCALARS[base]})"
    if stars == 2 and (base in HANDLES or base in ("char", "uint8_t", "void")):
        return "POINTER(c_void_p)"
    raise ValueError(f"no ctypes spelling for C type {ctype!r}: extend tools/abi.py")


def ctypes_of(func):
    """(restype, [argtypes]) of a function as ctypes objects."""
    import ctypes

    def obj(name):
        if name is None:
            return None
        if name.startswith("POINTER("):
            return ctypes.POINTER(getattr(ctypes, name[8:-1]))
        return getattr(ctypes, name)

    freed = func["name"].endswith("_free")
    return (obj(ctypes_name(func["ret"], returned=True)),
            [obj(ctypes_name(p["type"], freed=freed)) for p in func["params"]])


def def_file(funcs):
    lines = ["LIBRARY streampeer_tcp.dll", "EXPORTS"] + [f"    {f['name']}" for f in funcs]
    return "\n".join(lines) + "\n"


def main(argv):
    what = argv[1] if len(argv) > 1 else "json"
    funcs = functions()
    if what == "json":
        for f in funcs:
            freed = f["name"].endswith("_free")
            f["ctypes"] = {"ret": ctypes_name(f["ret"], returned=True),
                           "params": [ctypes_name(p["type"], freed=freed) for p in f["params"]]}
        json.dump(funcs, sys.stdout, indent=1)
        print()
    elif what == "def":
        sys.stdout.write(def_file(funcs))
    elif what == "count":
        print(len(funcs))
    elif what == "decls":
        json.dump(declarations(), sys.stdout, indent=1)
        print()
    else:
        sys.exit(f"usage: {argv[0]} json|def|count|decls")


if __name__ == "__main__":
    main(sys.argv)
