"""The documentation site: guides, the C and Python API reference, pictures.

    python3 tools/docs.py build [OUT]   # the site, in OUT (default build/docs)
    python3 tools/docs.py check         # the guides' quoted examples match their files
    python3 tools/docs.py sync          # rewrite the guides' quoted examples from their files
    python3 tools/docs.py quoted        # "guide<TAB>file" for every quoted example

Only the standard library. What it writes:

* reference.html: every constant, enum, type and function of
  include/streampeer_tcp.h with its doc comment and prototype, in header
  order; functions grouped by the src/ffi file that defines them (which is
  the header's order). Read through tools/abi.py (`declarations()`).
* python.html: the `streampeer_tcp` and `streampeer_tcp.aio` modules, every
  name in their `__all__`, from their docstrings (inspect). Importing the
  package needs the library: `STREAMPEER_TCP_LIB`, or target/release or
  target/debug of this checkout.
* one page per guide, docs/*.md, through a small Markdown subset (headings,
  paragraphs, lists, tables, fenced and indented code, inline code, links,
  images, bold and italics); `sptcp_*` / `SPTCP_*` names in inline code
  link to the reference.
* status.svg, tls-status.svg, variant.svg, bench.svg: the StreamPeerSocket
  and StreamPeerTLS status
  machine, the Variant wire layout and the benchmark ratios
  (bench/results/latest.csv), drawn with explicit coordinates.

A guide quotes an example with a fence whose info string names the file,
optionally a region marked `docs:begin NAME` / `docs:end NAME` in it:

    ```c examples/connect_by_name.c
    ...the file's text...
    ```

The site always shows the file's current text; `check` (and
python-tests/test_docs.py) fails when the guide's copy differs, and `sync`
rewrites the copy.
"""

import html
import inspect
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import abi  # noqa: E402

DOCS = os.path.join(ROOT, "docs")
QUOTE = re.compile(r"^```(\w+)[ \t]+((?:examples|c-tests|python|bench|tools)/[\w./+-]+)(?:#([\w-]+))?[ \t]*$")
C_NAME = re.compile(r"^(sptcp_\w+|SPTCP_\w+)(\(.*\))?$")

# --- quoted examples ----------------------------------------------------------


def guides():
    """docs/*.md (the guides), sorted."""
    return sorted(os.path.join(DOCS, f) for f in os.listdir(DOCS)
                  if f.endswith(".md"))


def region(path, name=None):
    """The text a quote shows: the whole file, or the lines between the
    `docs:begin NAME` and `docs:end NAME` marker lines."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    if name is None:
        return text.rstrip("\n")
    lines = text.split("\n")
    begin = [i for i, line in enumerate(lines) if re.search(rf"docs:begin {re.escape(name)}\b", line)]
    end = [i for i, line in enumerate(lines) if re.search(rf"docs:end {re.escape(name)}\b", line)]
    if len(begin) != 1 or len(end) != 1 or end[0] < begin[0]:
        raise ValueError(f"{path}: no single docs:begin/docs:end {name} pair")
    return "\n".join(lines[begin[0] + 1:end[0]]).rstrip("\n")


def quotes(md_path):
    """[(start_line, end_line, path, region, text_in_guide)] of a guide."""
    lines = open(md_path, encoding="utf-8").read().split("\n")
    found, i = [], 0
    while i < len(lines):
        m = QUOTE.match(lines[i])
        if m:
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            found.append((i, j, m.group(2), m.group(3), "\n".join(lines[i + 1:j])))
            i = j
        i += 1
    return found


def check():
    """Problems with the guides' quotes: missing files, stale copies."""
    problems = []
    for g in guides():
        for _, _, path, name, text in quotes(g):
            rel = os.path.relpath(g, ROOT)
            if not os.path.exists(os.path.join(ROOT, path)):
                problems.append(f"{rel}: quotes {path}, which does not exist")
                continue
            try:
                want = region(path, name)
            except ValueError as e:
                problems.append(f"{rel}: {e}")
                continue
            if text.rstrip("\n") != want:
                problems.append(f"{rel}: its copy of {path}{'#' + name if name else ''} is stale "
                                "(python3 tools/docs.py sync)")
    return problems


def sync():
    for g in guides():
        lines = open(g, encoding="utf-8").read().split("\n")
        for start, end, path, name, _ in reversed(quotes(g)):
            lines[start + 1:end] = region(path, name).split("\n")
        with open(g, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))


# --- Markdown subset ----------------------------------------------------------

def slug(text):
    return re.sub(r"[^\w]+", "-", re.sub(r"<[^>]+>", "", text).lower()).strip("-")


class Links:
    """Where a name in inline code links to."""

    def __init__(self, c_names=(), py_names=None, prefix=""):
        self.c = set(c_names)
        self.py = py_names or {}
        self.prefix = prefix  # "" on reference.html itself

    def code(self, text):
        m = C_NAME.match(text)
        if m and m.group(1) in self.c:
            return f'<a href="{self.prefix}#{m.group(1)}"><code>{html.escape(text)}</code></a>'
        if text in self.py:
            return f'<a href="python.html#{self.py[text]}"><code>{html.escape(text)}</code></a>'
        return f"<code>{html.escape(text)}</code>"


def inline(text, links):
    codes = []

    def keep(s):
        codes.append(s)
        return f"\x00{len(codes) - 1}\x00"

    text = re.sub(r"``(.+?)``|`([^`]+)`", lambda m: keep(links.code(m.group(1) or m.group(2))), text)
    text = html.escape(text, quote=False)

    def link(m):
        href = m.group(3)
        if not re.match(r"^[a-z]+:", href):
            href = re.sub(r"\.md(#|$)", r".html\1", href)
        if m.group(1):
            return keep(f'<img src="{html.escape(href)}" alt="{m.group(2)}">')
        return keep(f'<a href="{html.escape(href)}">{m.group(2)}</a>')

    text = re.sub(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)", link, text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


LIST_ITEM = re.compile(r"^(\s*)([*-]|\d+\.)\s+(.*)$")


def markdown(text, links, quoted=None):
    """HTML of a Markdown text. `quoted(path, region)` gives a quote's
    current text (None: the text as written)."""
    lines = text.split("\n")
    out, i, toc = [], 0, []
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.startswith("<!--"):
            while i < len(lines) and "-->" not in lines[i]:
                i += 1
            i += 1
            continue
        if line.startswith("```"):
            m = QUOTE.match(line)
            lang = line[3:].split()[0] if line[3:].split() else ""
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            body = "\n".join(lines[i + 1:j])
            caption = ""
            if m and quoted:
                body = quoted(m.group(2), m.group(3))
                caption = (f'<div class="src">{html.escape(m.group(2))}'
                           f'{" (" + html.escape(m.group(3)) + ")" if m.group(3) else ""}</div>')
            out.append(f'<figure class="code">{caption}<pre class="lang-{lang}"><code>'
                       f"{html.escape(body)}</code></pre></figure>")
            i = j + 1
            continue
        m = re.match(r"^(#{1,4})\s+(.*)$", line)
        if m:
            n, title = len(m.group(1)), inline(m.group(2), links)
            ident = slug(m.group(2))
            if n == 2:
                toc.append((ident, title))
            out.append(f'<h{n} id="{ident}">{title}</h{n}>')
            i += 1
            continue
        if line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|?\s*$", lines[i + 1]):
            def cells(s):
                return [c.strip() for c in s.strip().strip("|").split("|")]
            head = cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(cells(lines[i]))
                i += 1
            t = ["<table><thead><tr>"] + [f"<th>{inline(c, links)}</th>" for c in head] + ["</tr></thead><tbody>"]
            for r in rows:
                t += ["<tr>"] + [f"<td>{inline(c, links)}</td>" for c in r] + ["</tr>"]
            out.append("".join(t + ["</tbody></table>"]))
            continue
        if line.startswith("    "):
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                j += 1
            while not lines[j - 1].strip():
                j -= 1
            out.append("<pre><code>" + html.escape("\n".join(x[4:] for x in lines[i:j])) + "</code></pre>")
            i = j
            continue
        m = LIST_ITEM.match(line)
        if m:
            ordered = m.group(2)[0].isdigit()
            items = []
            while i < len(lines):
                m = LIST_ITEM.match(lines[i])
                if m:
                    items.append([m.group(3)])
                elif lines[i].strip() and not lines[i].startswith(("```", "#", "|")):
                    items[-1].append(lines[i].strip())
                else:
                    break
                i += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{inline(' '.join(it), links)}</li>" for it in items) + f"</{tag}>")
            continue
        para = []
        while i < len(lines) and lines[i].strip() and not lines[i].startswith(("```", "#", "|", "<!--")) \
                and not (para and LIST_ITEM.match(lines[i])):
            para.append(lines[i].strip())
            i += 1
        out.append(f"<p>{inline(' '.join(para), links)}</p>")
    return "\n".join(out), toc


# --- pages --------------------------------------------------------------------

CSS = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1f23; }
header { background: #243b53; color: #fff; padding: .6em 1.5em; }
header a { color: #fff; margin-right: 1.2em; text-decoration: none; font-weight: 600; }
main { max-width: 62em; margin: 0 auto; padding: 1em 1.5em 4em; }
code { font: 14px/1.4 ui-monospace, monospace; background: #f3f4f6; padding: 0 .2em; border-radius: 3px; }
pre { background: #f6f8fa; border: 1px solid #e1e4e8; padding: .8em; overflow-x: auto; white-space: pre-wrap; }
pre code { background: none; padding: 0; }
figure.code { margin: 1em 0; } .src { font: 13px ui-monospace, monospace; color: #57606a; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #d0d7de; padding: .3em .6em; vertical-align: top; }
th { background: #f6f8fa; }
.decl { border-top: 1px solid #d0d7de; margin-top: 1.6em; padding-top: .4em; }
.decl h3, .decl h4 { font: 600 16px ui-monospace, monospace; margin: .3em 0; }
.proto { font: 14px ui-monospace, monospace; background: #eef6ff; border-left: 3px solid #4a90d9; padding: .4em .7em; }
.index { columns: 3 16em; font-size: 14px; } .index a { display: block; }
#filter { width: 100%; font-size: 16px; padding: .3em; margin: .5em 0 1em; }
img, object { max-width: 100%; }
nav.toc { font-size: 14px; background: #f6f8fa; padding: .4em 1em; border-radius: 4px; }
"""

FILTER_JS = """<script>
document.getElementById('filter').addEventListener('input', function () {
  var q = this.value.toLowerCase();
  document.querySelectorAll('.decl').forEach(function (d) {
    d.style.display = !q || d.id.toLowerCase().indexOf(q) >= 0 || d.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
  });
});
</script>"""


def page(title, body):
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · streampeer_tcp</title><link rel="stylesheet" href="style.css"></head>
<body><header><a href="index.html">streampeer_tcp</a><a href="index.html#guides">Guides</a>
<a href="reference.html">C reference</a><a href="python.html">Python reference</a></header>
<main>
{body}
</main></body></html>
"""


# --- the C reference ----------------------------------------------------------

GROUP_TITLES = {
    "peer.rs": "TCP peers: StreamPeerTCP",
    "uds.rs": "Unix domain sockets: StreamPeerUDS and UDSServer",
    "server.rs": "Servers: TCPServer",
    "connection.rs": "Connecting and staying connected",
    "stream.rs": "Data: StreamPeer",
    "typed.rs": "Typed values and strings",
    "buffer.rs": "StreamPeerBuffer",
    "group.rs": "Waiting: sptcp_wait, poll groups, OS sockets",
    "error.rs": "Errors and the version",
    "variant/new.rs": "Variants: making values",
    "variant/container.rs": "Variants: arrays, dictionaries, objects",
    "variant/access.rs": "Variants: reading values",
    "variant/wire.rs": "Variants on the wire: put_var, get_var, var_to_bytes",
}


def defining_files():
    """{function name: its file under src/ffi} (empty without the sources)."""
    where = {}
    base = os.path.join(ROOT, "src", "ffi")
    for d, _, files in os.walk(base):
        for f in sorted(files):
            if f.endswith(".rs"):
                rel = os.path.relpath(os.path.join(d, f), base).replace(os.sep, "/")
                text = open(os.path.join(d, f), encoding="utf-8").read()
                for name in re.findall(r'^\s*pub\s+(?:unsafe\s+)?extern\s+"C"\s+fn\s+(sptcp_\w+)\s*\(', text, re.M):
                    where.setdefault(name, rel)
    return where


def header_intro():
    text = open(abi.HEADER, encoding="utf-8").read()
    m = re.match(r"\s*/\*(?!\*)(.*?)\*/", text, re.S)
    return abi.doc_text(m.group(1)) if m else ""


def prototype(code):
    code = " ".join(code.split())
    m = re.match(r"^(.*?\()(.*)(\);)$", code)
    if m and len(code) > 90 and "," in m.group(2):
        args = [a.strip() for a in m.group(2).split(",")]
        code = m.group(1) + "\n    " + ",\n    ".join(args) + m.group(3)
    return html.escape(code)


def reference_html():
    decls = abi.declarations()
    names = {d["name"] for d in decls} | {v["name"] for d in decls if d["kind"] == "enum" for v in d["values"]}
    links = Links(names)
    where = defining_files()
    sections = []  # [(id, title, [decl])]
    kinds = {"define": ("constants", "Constants"), "enum": ("enums", "Enums"),
             "opaque": ("types", "Types"), "struct": ("types", "Types")}
    for d in decls:
        if d["kind"] == "function":
            f = where.get(d["name"], "")
            ident, title = "group-" + slug(f or "functions"), GROUP_TITLES.get(f, f or "Functions")
            if f:
                title += f' <span class="src">src/ffi/{html.escape(f)}</span>'
        else:
            ident, title = kinds[d["kind"]]
        if sections and sections[-1][0] == ident:
            sections[-1][2].append(d)
        elif any(s[0] == ident for s in sections) and d["kind"] != "function":
            next(s for s in sections if s[0] == ident)[2].append(d)
        else:
            while any(s[0] == ident for s in sections):  # a file that comes back later
                ident += "-next"
            sections.append((ident, title, [d]))
    body = ["<h1>C API reference</h1>",
            f"<p>Every declaration of <code>include/streampeer_tcp.h</code> ({sum(d['kind'] == 'function' for d in decls)} "
            "functions), with its documentation, in the header's order. Names link to their entries; "
            "the box below filters them.</p>",
            markdown(header_intro(), links)[0],
            '<input id="filter" placeholder="Filter: a name or a word, e.g. timeout" autocomplete="off">',
            '<nav class="toc"><strong>Sections:</strong> ' +
            " · ".join(f'<a href="#{i}">{re.sub(r"<[^>]+>.*", "", t)}</a>' for i, t, _ in sections) + "</nav>"]
    for ident, title, items in sections:
        body.append(f'<h2 id="{ident}">{title}</h2>')
        body.append('<div class="index">' + "".join(f'<a href="#{d["name"]}"><code>{d["name"]}</code></a>'
                                                     for d in items) + "</div>")
        for d in items:
            doc = markdown(d["doc"], links)[0] if d["doc"] else ""
            parts = [f'<section class="decl" id="{d["name"]}"><h3><a href="#{d["name"]}">{d["name"]}</a></h3>']
            if d["kind"] == "define":
                parts.append(f'<div class="proto">#define {d["name"]} {html.escape(d["value"])}</div>')
            elif d["kind"] == "function":
                parts.append(f'<div class="proto">{prototype(d["code"])}</div>')
            elif d["kind"] in ("opaque", "struct"):
                parts.append(f'<pre class="proto">{html.escape(d["code"])}</pre>')
            parts.append(doc)
            if d["kind"] == "enum":
                rows = "".join(f'<tr id="{v["name"]}"><td><code>{v["name"]}</code></td><td>{html.escape(v["value"])}</td>'
                               f'<td>{markdown(v["doc"], links)[0] if v["doc"] else ""}</td></tr>'
                               for v in d["values"])
                parts.append(f"<table><thead><tr><th>name</th><th>value</th><th></th></tr></thead><tbody>{rows}</tbody></table>")
            parts.append("</section>")
            body.append("".join(parts))
    body.append(FILTER_JS)
    return page("C API reference", "\n".join(body)), names


# --- the Python reference -------------------------------------------------------

PY_MODULES = ["streampeer_tcp", "streampeer_tcp.aio"]


def python_modules():
    if os.path.join(ROOT, "python") not in sys.path:
        sys.path.insert(0, os.path.join(ROOT, "python"))
    import importlib
    return [importlib.import_module(m) for m in PY_MODULES]


def public_classes():
    """{"module.Class": class} for every class a module exports (__all__)."""
    found = {}
    for mod in python_modules():
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                found[f"{mod.__name__}.{name}"] = obj
    return found


def _sig(obj):
    try:
        s = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(…)"
    return re.sub(r"^\(self, ?", "(", s).replace("(self)", "()")


def _members(cls):
    out = []
    for name, raw in cls.__dict__.items():
        if name.startswith("_") and name not in ("__init__",):
            continue
        if name == "__init__":
            continue
        if isinstance(raw, property):
            out.append(("property", name, "", inspect.getdoc(raw) or ""))
        elif isinstance(raw, (staticmethod, classmethod)):
            fn = raw.__func__
            out.append((type(raw).__name__, name, _sig(fn), inspect.getdoc(fn) or ""))
        elif inspect.isfunction(raw):
            kind = "async method" if inspect.iscoroutinefunction(raw) else "method"
            out.append((kind, name, _sig(raw), inspect.getdoc(raw) or ""))
    return out


def python_html(c_names):
    import enum
    mods = python_modules()
    home = {}  # id(obj) -> anchor of its first listing
    py_names = {}
    for mod in mods:
        for name in mod.__all__:
            obj = getattr(mod, name)
            if (inspect.isclass(obj) or inspect.isroutine(obj)) and id(obj) not in home:
                home[id(obj)] = f"{mod.__name__}.{name}"
                py_names.setdefault(name, f"{mod.__name__}.{name}")
    links = Links(c_names, py_names, prefix="reference.html")
    body = ["<h1>Python reference</h1>",
            "<p>The <code>streampeer_tcp</code> package and its asyncio layer <code>streampeer_tcp.aio</code>: "
            "every exported name, from the docstrings. The C functions underneath are in the "
            '<a href="reference.html">C reference</a>.</p>',
            '<input id="filter" placeholder="Filter: a name or a word" autocomplete="off">']
    for mod in mods:
        body.append(f'<h2 id="{mod.__name__}">{mod.__name__}</h2>')
        body.append(markdown(inspect.getdoc(mod) or "", links)[0])
        names = [n for n in mod.__all__ if not n.startswith("__")]
        body.append('<div class="index">' + "".join(f'<a href="#{mod.__name__}.{n}"><code>{n}</code></a>'
                                                     for n in names) + "</div>")
        for name in names:
            obj = getattr(mod, name)
            anchor = f"{mod.__name__}.{name}"
            if (inspect.isclass(obj) or inspect.isroutine(obj)) and home[id(obj)] != anchor:
                body.append(f'<section class="decl" id="{anchor}"><h3>{name}</h3><p>The same as '
                            f'<a href="#{home[id(obj)]}"><code>{home[id(obj)]}</code></a>.</p></section>')
                continue
            parts = [f'<section class="decl" id="{anchor}">']
            if inspect.isclass(obj):
                bases = ", ".join(b.__name__ for b in obj.__bases__ if b is not object)
                sig = _sig(obj) if not issubclass(obj, enum.Enum) else ""
                parts.append(f'<h3><a href="#{anchor}">class {name}</a></h3>')
                parts.append(f'<div class="proto">class {name}{html.escape(sig)}'
                             f'{" — bases: " + html.escape(bases) if bases else ""}</div>')
                parts.append(markdown(inspect.getdoc(obj) or "", links)[0])
                if issubclass(obj, enum.Enum):
                    rows = "".join(f"<tr><td><code>{m.name}</code></td><td>{int(m.value)}</td></tr>" for m in obj)
                    parts.append(f"<table><thead><tr><th>member</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>")
                else:
                    for kind, mname, sig, doc in _members(obj):
                        parts.append(f'<div class="decl" id="{anchor}.{mname}"><h4>{kind} {mname}{html.escape(sig)}</h4>'
                                     f"{markdown(doc, links)[0]}</div>")
            elif inspect.isroutine(obj):
                kind = "async def" if inspect.iscoroutinefunction(obj) else "def"
                parts.append(f'<h3><a href="#{anchor}">{kind} {name}{html.escape(_sig(obj))}</a></h3>')
                parts.append(markdown(inspect.getdoc(obj) or "", links)[0])
            else:
                parts.append(f'<h3><a href="#{anchor}">{name}</a></h3><div class="proto">{html.escape(repr(obj))}</div>')
            parts.append("</section>")
            body.append("".join(parts))
    body.append(FILTER_JS)
    return page("Python reference", "\n".join(body)), py_names


# --- pictures -----------------------------------------------------------------

SVG_HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            'font-family="system-ui, sans-serif" font-size="13">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#334"/></marker></defs>'
            '<rect width="100%" height="100%" fill="#fff"/>')


def _text(x, y, s, anchor="middle", size=13, weight="normal", fill="#223", halo=False):
    ring = ' stroke="#fff" stroke-width="4" paint-order="stroke"' if halo else ""
    return (f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}"{ring}>{html.escape(s)}</text>')


def status_svg():
    """StreamPeerSocket's status machine (Godot 4, with this library's
    additions: async connects, Happy Eyeballs, I/O timeouts)."""
    w, h, bw, bh = 1000, 560, 190, 56
    boxes = {"NONE": (130, 280, "#e8eef7", "no socket"), "CONNECTING": (500, 110, "#fff4d6", "poll() makes progress"),
             "CONNECTED": (870, 280, "#e3f5e1", "data flows"), "ERROR": (500, 460, "#fbe3e3", "socket closed")}
    out = [SVG_HEAD.format(w=w, h=h)]
    labels = []

    def edge(path, label_lines, lx, ly, anchor="middle"):
        out.append(f'<path d="{path}" fill="none" stroke="#334" stroke-width="1.6" marker-end="url(#arrow)"/>')
        for k, line in enumerate(label_lines):
            labels.append(_text(lx, ly + 16 * k, line, anchor, 12, halo=True))

    edge("M 170 252 Q 230 110 403 110", ["connect_to_host() → OK:", "in progress, or a name", "being looked up (async)"],
         20, 120, "start")
    edge("M 225 280 L 773 280", ["connect_to_host(): connected at once (a local Unix domain socket)"], 500, 272)
    edge("M 595 110 Q 800 120 862 250", ["poll(): an attempt connected (with", "Happy Eyeballs: the first of several)"],
         612, 64, "start")
    edge("M 500 138 L 500 430", ["poll(): refused, past the", "connect timeout, or the name", "did not resolve",
                                 "→ ERR_CONNECTION_ERROR,", "ERR_CANT_RESOLVE"], 512, 172, "start")
    edge("M 840 308 Q 770 440 598 458", ["poll(): a reset", "→ FAILED"], 800, 420, "start")
    edge("M 775 296 Q 500 360 227 296", ["poll(): the far side closed and every byte is read;",
                                        "a read or write failed (FILE_EOF, FAILED); disconnect_from_host()"], 500, 352)
    edge("M 403 466 Q 160 460 122 311", ["disconnect_from_host()", "(the only way out of ERROR)"], 20, 482, "start")
    out.append('<circle cx="935" cy="150" r="6" fill="#334"/>')
    edge("M 935 156 Q 935 220 905 250", ["TCPServer / UDSServer", "take_connection()"], 905, 118)
    for name, (x, y, fill, sub) in boxes.items():
        out.append(f'<rect x="{x - bw / 2}" y="{y - bh / 2}" width="{bw}" height="{bh}" rx="12" fill="{fill}" '
                   'stroke="#334" stroke-width="1.6"/>')
        out.append(_text(x, y - 2, "STATUS_" + name, size=14, weight="bold"))
        out.append(_text(x, y + 16, sub, size=11, fill="#556"))
    out += labels
    out.append(_text(20, 26, "StreamPeerSocket status (Godot 4): get_status() only reads it; poll() and failed "
                     "reads and writes change it", "start", 14, "bold"))
    out.append(_text(20, 545, "I/O timeouts (sptcp_set_io_timeout_ms) return ERR_TIMEOUT and leave the status unchanged.",
                     "start", 12, fill="#556"))
    out.append("</svg>")
    return "\n".join(out)


def tls_status_svg():
    """StreamPeerTLS's status machine (Godot 4's five statuses)."""
    w, h, bw, bh = 1000, 520, 210, 56
    boxes = {"DISCONNECTED": (140, 260, "#e8eef7", "no stream"),
             "HANDSHAKING": (500, 100, "#fff4d6", "tls_poll() drives it"),
             "CONNECTED": (860, 260, "#e3f5e1", "data flows (plaintext)"),
             "ERROR": (380, 430, "#fbe3e3", "stream closed"),
             "ERROR_HOSTNAME_MISMATCH": (720, 430, "#fbe3e3", "valid, but another name")}
    out = [SVG_HEAD.format(w=w, h=h)]
    labels = []

    def edge(path, label_lines, lx, ly, anchor="middle"):
        out.append(f'<path d="{path}" fill="none" stroke="#334" stroke-width="1.6" marker-end="url(#arrow)"/>')
        for k, line in enumerate(label_lines):
            labels.append(_text(lx, ly + 16 * k, line, anchor, 12, halo=True))

    edge("M 170 232 Q 230 100 393 100", ["connect_to_stream() / accept_stream()", "→ OK (the stream may",
                                         "still be connecting)"], 20, 118, "start")
    edge("M 605 100 Q 800 110 850 230", ["tls_poll(): the handshake", "is done"], 700, 60, "start")
    edge("M 470 128 L 395 400", ["tls_poll(): unknown issuer, expired,", "bad data, the stream broke"],
         430, 180, "end")
    edge("M 540 128 L 700 400", ["tls_poll(): a certificate", "for another name"], 595, 180, "start")
    edge("M 840 288 Q 700 360 490 420", ["the stream ended without", "close_notify (truncation)"], 640, 345, "start")
    edge("M 752 262 Q 500 300 247 262", ["the far side's close_notify, once its bytes are read;",
                                        "disconnect_from_stream() (sends close_notify)"], 500, 302)
    for name, (x, y, fill, sub) in boxes.items():
        width = bw + (60 if len(name) > 12 else 0)
        out.append(f'<rect x="{x - width / 2}" y="{y - bh / 2}" width="{width}" height="{bh}" rx="12" fill="{fill}" '
                   'stroke="#334" stroke-width="1.6"/>')
        out.append(_text(x, y - 2, "STATUS_" + name, size=14, weight="bold"))
        out.append(_text(x, y + 16, sub, size=11, fill="#556"))
    out += labels
    out.append(_text(20, 26, "StreamPeerTLS status (Godot 4): tls_poll() changes it; get_status() only reads it",
                     "start", 14, "bold"))
    out.append(_text(20, 505, "From ERROR, DISCONNECTED: disconnect_from_stream(), or a new connect_to_stream() / "
                     "accept_stream().", "start", 12, fill="#556"))
    out.append("</svg>")
    return "\n".join(out)


def variant_svg():
    """put_var({"hp": 42}) in Godot 4's format, four bytes a cell, and the
    header word's bits."""
    cells = [  # (bytes, label, sublabel, colour)
        ("34 00 00 00", "length", "u32: 52 bytes", "#e0e7ff"),
        ("1b 00 00 00", "header", "27: Dictionary", "#ffe7c2"),
        ("01 00 00 00", "count", "1 entry", "#f3f4f6"),
        ("04 00 00 00", "header", "4: String", "#ffe7c2"),
        ("02 00 00 00", "length", "2 bytes", "#f3f4f6"),
        ("68 70 00 00", "\"hp\"", "UTF-8, 0-padded", "#dcfce7"),
        ("02 00 00 00", "header", "2: int", "#ffe7c2"),
        ("2a 00 00 00", "value", "i32 42", "#dcfce7"),
    ]
    cw, x0, y0 = 118, 20, 60
    w, h = x0 * 2 + cw * len(cells), 400
    out = [SVG_HEAD.format(w=w, h=h)]
    out.append(_text(x0, 28, 'put_var({"hp": 42}) on the wire (Godot 4; every field little-endian, every value a multiple of 4 bytes)',
                     "start", 14, "bold"))
    for k, (b, label, sub, fill) in enumerate(cells):
        x = x0 + k * cw
        out.append(f'<rect x="{x}" y="{y0}" width="{cw}" height="44" fill="{fill}" stroke="#334"/>')
        out.append(f'<text x="{x + cw / 2}" y="{y0 + 27}" text-anchor="middle" font-family="ui-monospace, monospace" '
                   f'font-size="13">{b}</text>')
        out.append(_text(x + cw / 2, y0 + 64, label, size=12, weight="bold"))
        out.append(_text(x + cw / 2, y0 + 80, sub, size=11, fill="#556"))
    # braces: prefix / key / value
    def brace(a, b, y, label):
        xa, xb = x0 + a * cw + 4, x0 + b * cw - 4
        out.append(f'<path d="M {xa} {y} v 8 H {xb} v -8" fill="none" stroke="#556"/>')
        out.append(_text((xa + xb) / 2, y + 24, label, size=12, fill="#334"))
    brace(0, 1, 150, "put_var's prefix")
    brace(1, 3, 150, "the Dictionary: header, count")
    brace(3, 6, 150, "key: String")
    brace(6, 8, 150, "value: int")
    # the header word
    y1, bw = 240, 26
    out.append(_text(x0, y1 - 14, "The header word (u32), bit 31 … bit 0:", "start", 13, "bold"))
    bw = 29
    fields = [(31, 20, "0", "#f3f4f6"), (19, 18, "B", "#fde68a"), (17, 16, "A", "#fcd34d"),
              (15, 8, "0", "#f3f4f6"), (7, 0, "type id (0–38)", "#ffe7c2")]
    x = x0
    for hi, lo, label, fill in fields:
        width = (hi - lo + 1) * bw
        out.append(f'<rect x="{x}" y="{y1}" width="{width}" height="34" fill="{fill}" stroke="#334"/>')
        out.append(_text(x + width / 2, y1 + 21, label, size=11))
        out.append(_text(x + 4, y1 + 48, str(hi), "start", 10, fill="#556"))
        out.append(_text(x + width - 4, y1 + 48, str(lo), "end", 10, fill="#556"))
        x += width
    notes = ["A (bits 16–17): FLAG_64 (bit 16) for INT as i64, FLOAT as f64, an OBJECT sent as its id; for an Array the",
             "element kind, for a Dictionary the key kind. B (bits 18–19): a Dictionary's value kind. Kinds: 0 untyped,",
             "1 a builtin type, 2 a class name, 3 a script, each followed by its descriptor before the count.",
             "Godot 3: the same layout with Godot 3's type ids (Dictionary 18, Array 19, ...), no typed containers."]
    for k, n in enumerate(notes):
        out.append(_text(x0, y1 + 80 + 20 * k, n, "start", 12))
    out.append("</svg>")
    return "\n".join(out)


def bench_rows(csv_path=os.path.join(ROOT, "bench", "results", "latest.csv")):
    """[(figure, unit, ratio, target)] of the rows with a ratio to raw C."""
    import csv
    rows = []
    with open(csv_path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r.get("ratio") and r.get("raw_c_or_socket") and r.get("streampeer_tcp"):
                rows.append((r["figure"], r["unit"], float(r["ratio"]), r.get("target") or "-"))
    return rows


def bench_svg():
    rows = bench_rows()
    bar_h, gap, left, scale = 22, 10, 470, 260  # scale: pixels per 1.0
    w = left + int(scale * 1.6) + 40
    h = 70 + len(rows) * (bar_h + gap) + 40
    out = [SVG_HEAD.format(w=w, h=h)]
    out.append(_text(20, 26, "streampeer_tcp / raw C (Python rows: / the socket module), from bench/results/latest.csv",
                     "start", 14, "bold"))
    out.append(_text(20, 46, "green: meets its target (▲), or without one at least as good as raw C; orange: does not", "start", 12, fill="#556"))
    top = 62
    for k in range(0, 17, 2):
        x = left + k / 10 * scale
        out.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{h - 30}" stroke="{"#334" if k == 10 else "#ddd"}"/>')
        out.append(_text(x, h - 14, f"{k / 10:.1f}", size=11, fill="#556"))
    for i, (fig, unit, ratio, target) in enumerate(rows):
        y = top + 6 + i * (bar_h + gap)
        higher_better = unit in ("MiB/s", "conn/s", "msg/s")
        m = re.search(r"([\d.]+)", target)
        limit = float(m.group(1)) if m else 1.0
        good = ratio >= limit if higher_better else ratio <= limit
        width = min(ratio, 1.6) * scale
        label = fig if len(fig) <= 46 else fig[:45] + "…"
        out.append(_text(left - 8, y + 15, f"{label} ({'higher' if higher_better else 'lower'} is better)", "end", 12))
        out.append(f'<rect x="{left}" y="{y}" width="{width:.1f}" height="{bar_h}" fill="{"#4caf50" if good else "#f0a040"}"/>')
        out.append(_text(left + width + 6, y + 15, f"{ratio:.3f}", "start", 12))
        if m:
            tx = left + float(m.group(1)) * scale
            out.append(f'<path d="M {tx - 5} {y + bar_h + 5} L {tx} {y + bar_h - 3} L {tx + 5} {y + bar_h + 5} z" fill="#334"/>')
    out.append("</svg>")
    return "\n".join(out)


# --- the site -----------------------------------------------------------------


def build(out_dir):
    os.makedirs(out_dir, exist_ok=True)

    def write(name, text):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)

    write("style.css", CSS)
    write("status.svg", status_svg())
    write("tls-status.svg", tls_status_svg())
    write("variant.svg", variant_svg())
    write("bench.svg", bench_svg())
    ref, c_names = reference_html()
    write("reference.html", ref)
    py, py_names = python_html(c_names)
    write("python.html", py)
    links = Links(c_names, py_names, prefix="reference.html")
    pages = []
    for g in guides():
        text = open(g, encoding="utf-8").read()
        title = (re.search(r"^#\s+(.*)$", text, re.M) or [None, os.path.basename(g)])[1]
        body, toc = markdown(text, links, quoted=region)
        if len(toc) > 2:
            nav = '<nav class="toc"><strong>On this page:</strong> ' + " · ".join(
                f'<a href="#{i}">{t}</a>' for i, t in toc) + "</nav>"
            body = body.replace("</h1>", "</h1>\n" + nav, 1)
        name = os.path.basename(g)[:-3] + ".html"
        write(name, page(re.sub(r"`", "", title), body))
        pages.append(name)
    problems = check()
    for p in problems:
        print("docs: " + p, file=sys.stderr)
    print(f"docs: {len(pages)} guides, reference.html, python.html and 4 pictures in {os.path.relpath(out_dir)}")
    return 1 if problems else 0


def main(argv):
    what = argv[1] if len(argv) > 1 else "build"
    if what == "build":
        return build(argv[2] if len(argv) > 2 else os.path.join(ROOT, "build", "docs"))
    if what == "check":
        problems = check()
        for p in problems:
            print(p)
        return 1 if problems else 0
    if what == "sync":
        sync()
        return 0
    if what == "quoted":
        for g in guides():
            for _, _, path, name, _ in quotes(g):
                print(f"{os.path.relpath(g, ROOT)}\t{path}{'#' + name if name else ''}")
        return 0
    print(f"usage: {argv[0]} build [OUT] | check | sync | quoted", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
