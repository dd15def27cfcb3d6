"""The documentation site (tools/docs.py, `make docs`): it builds; the C
reference has every function, type, enum value and constant of the header
(the list from tools/abi.py); the Python reference every public class; the
guides' quoted examples match their files, exist, are built by make and run
by make test; the examples added for the guides run here, bounded, over
loopback."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import abi  # noqa: E402
import docs  # noqa: E402

BUILT = os.path.join(ROOT, "build", "examples")

# The examples written for the guides, run here: arguments, and text their
# output must hold. Other quoted examples are run by the tests named in
# RUN_ELSEWHERE's check (their name appears in another python-tests file).
RUNS = {
    "getting_started": ([], 'server got 42 and "Hello✩"'),
    "typed_values": ([], "every value read back as written"),
    "connect_by_name": (["--selftest"], "connect_by_name: selftest OK"),
    "message_server": (["--selftest"], "message_server: selftest OK"),
    "uds_command": ([], "socket file removed: yes"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    run = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "docs.py"), "build", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def read(site, name):
    return (site / name).read_text(encoding="utf-8")


def ids(text):
    return set(re.findall(r'\bid="([^"]+)"', text))


def test_every_exported_function_is_in_the_reference(site):
    ref = read(site, "reference.html")
    anchors = ids(ref)
    missing = [f["name"] for f in abi.functions() if f["name"] not in anchors]
    assert not missing, f"functions missing from reference.html: {missing}"
    # each with its prototype
    for f in abi.functions():
        assert re.search(rf'id="{f["name"]}".*?class="proto">[^<]*\b{f["name"]}\(', ref, re.S), f["name"]


def test_every_type_enum_value_and_constant_is_in_the_reference(site):
    anchors = ids(read(site, "reference.html"))
    want = []
    for d in abi.declarations():
        want.append(d["name"])
        want += [v["name"] for v in d.get("values", [])]
    missing = [n for n in want if n not in anchors]
    assert not missing, f"missing from reference.html: {missing}"


def test_every_public_python_class_is_in_the_reference(site):
    anchors = ids(read(site, "python.html"))
    classes = docs.public_classes()
    assert "streampeer_tcp.StreamPeerTCP" in classes and "streampeer_tcp.aio.AsyncPeer" in classes
    missing = [name for name in classes if name not in anchors]
    assert not missing, f"classes missing from python.html: {missing}"
    for mod in docs.python_modules():
        for name in mod.__all__:
            if not name.startswith("__"):
                assert f"{mod.__name__}.{name}" in anchors, f"{mod.__name__}.{name}"


def test_pictures_are_svg(site):
    for name in ("status.svg", "tls-status.svg", "variant.svg", "bench.svg"):
        root = ET.parse(site / name).getroot()
        assert root.tag.endswith("svg"), name
        assert len(list(root.iter())) > 20, name


def test_links_between_pages_resolve(site):
    pages = {p.name: ids(p.read_text(encoding="utf-8")) for p in site.glob("*.html")}
    bad = []
    for name in pages:
        for href in re.findall(r'(?:href|src)="([^"]+)"', read(site, name)):
            if re.match(r"^[a-z]+:", href):
                continue
            target, _, frag = href.partition("#")
            target = target or name
            if target.startswith("../") or target.startswith("bench/"):
                continue
            if not (site / target).exists():
                bad.append(f"{name}: {href}")
            elif frag and target in pages and frag not in pages[target]:
                bad.append(f"{name}: {href} (no such anchor)")
    assert not bad, bad


def test_guides_quote_their_examples_as_they_are():
    assert docs.guides(), "no guides in docs/"
    assert docs.check() == []


def makefile_examples():
    text = open(os.path.join(ROOT, "Makefile"), encoding="utf-8").read().replace("\\\n", " ")
    m = re.search(r"^EXAMPLES\s*:?=(.*)$", text, re.M)
    return set(re.findall(r"\$\(BUILD\)/examples/(\w+)", m.group(1))) if m else set()


def run_elsewhere(path):
    """Another python-tests file or a c-tests script that names `path`."""
    base = os.path.basename(path).rsplit(".", 1)[0]
    # A file under c-tests/ (a CMake consumer project) is run by the script
    # that names its directory.
    folder = os.path.basename(os.path.dirname(path)) if path.startswith("c-tests/") else None
    here = os.path.basename(__file__)
    for d, pattern in (("python-tests", r"^test_.*\.py$"), ("c-tests", r"\.sh$")):
        for top, _, files in os.walk(os.path.join(ROOT, d)):
            for f in files:
                if re.search(pattern, f) and f != here:
                    text = open(os.path.join(top, f), encoding="utf-8").read()
                    if base in text or (folder and d == "c-tests" and folder in text):
                        return True
    return False


def quoted_files():
    return sorted({path for g in docs.guides() for _, _, path, _, _ in docs.quotes(g)})


def test_every_quoted_example_is_built_and_run_by_make_test():
    built = makefile_examples()
    problems = []
    for path in quoted_files():
        if not os.path.exists(os.path.join(ROOT, path)):
            problems.append(f"{path} does not exist")
            continue
        name = os.path.basename(path).rsplit(".", 1)[0]
        if path.startswith("examples/") and path.endswith(".c") and name not in built:
            problems.append(f"{path}: $(BUILD)/examples/{name} is not in the Makefile's EXAMPLES")
        if name not in RUNS and not run_elsewhere(path):
            problems.append(f"{path}: no test runs it (add it to RUNS in {os.path.basename(__file__)})")
    assert not problems, problems


@pytest.mark.parametrize("name", sorted(RUNS))
def test_guide_example_runs(name):
    exe = os.path.join(BUILT, name)
    if not os.path.exists(exe):
        pytest.fail(f"{exe} is not built (add $(BUILD)/examples/{name} to the Makefile's EXAMPLES)")
    args, want = RUNS[name]
    run = subprocess.run([exe] + args, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert want in run.stdout, run.stdout
