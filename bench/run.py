"""Runs the benchmarks side by side and writes the results.

    python3 bench/run.py [--smoke] [--one-cpu | --busy] [--reps N] [--max-reps M] [--figures LIST]

Each figure runs for every implementation in turn, round after round, the
implementations interleaved inside each round so that a noisy machine
hurts them alike; each value in the tables is the median over the rounds.
Writes bench/results/latest.md (the tables, with the ratios, their spread
and the targets, then the list of targets met and missed), latest.csv, and
PNG plots (with matplotlib, when it imports). --smoke runs tiny amounts
once (the target figures twice), to check that the harness works (every
code path, none of the numbers). --figures runs only some figures (comma-separated: bulk,
pingpong, udsbulk, udspingpong, churn, var, pybulk, pypingpong, idle,
groupwait, groupecho, tlsbulk, tlshs, tlshsrsa, tlsinfo; "uds" means
udsbulk,udspingpong; "groups" means groupwait,groupecho; "tls" means
tlsbulk,tlshs,tlshsrsa,tlsinfo; "python" means pybulk,pypingpong) and only
prints the tables: latest.* keep the last full run.

--one-cpu (`make bench-quick`) runs everything on one CPU (this process
and every benchmark process it starts inherit the affinity): the two
ends of a connection take turns on it, so no wake-up has to cross to
another CPU and the loopback round trip is the quickest this machine
has (on the 2-core VMs here about 12 µs instead of 60-100 µs). That is
where the library's own costs per call, per message and per connection
show most; the results go to bench/results/one-cpu.md and one-cpu.csv
(latest.* are left as they are).

--busy (`make bench-busy`) keeps every CPU busy for the run with a
spinning process of the lowest priority (nice 19) pinned to each: a
benchmark thread that wakes preempts a spinner at once, and no CPU halts
between wake-ups, so a wake-up that crosses CPUs is quick too (on the VMs
here the loopback round trip drops from 55-100 µs to 14-40 µs, with the
two ends on two CPUs as in the standard run). The results go to
bench/results/busy.md and busy.csv. The spinners take some CPU time from
the bulk figures, from raw C and the library alike.

Ratios from one process. bulk, pingpong, udsbulk, udspingpong and churn
run raw C and the library in ONE process (`bench <figure> raw+sptcp`):
both pairs (or listeners) open at once, measured in alternating segments,
and the process prints the ratio it saw (the median over pairs of
segments of the ratio within each pair; see bench.c). var measures the
u32 round trip in the same process as the Variants, on a second pair
served by the same echo thread. pybulk and pypingpong run the socket
module and the package in ONE Python process, in alternating segments,
against the same far end written in C (`bench pyserver`, a process of its
own). groupwait measures the group wait and epoll_wait in one process;
groupecho and the TLS figures compare separate processes of the same
round. libuv and SDL2_net run in separate processes, informational.

Rounds and spread. A target's ratio is the median of its per-round
ratios, shown with its spread (see spread()): the half-width of a
distribution-free ~95 % confidence interval of that median, relative to
it. Every figure runs --reps rounds (5); then the figures whose target
ratio still has a spread above 3 % run more rounds (only them, and only
the implementations their targets compare), one at a time, until every
spread is at most 3 % or a figure has run --max-reps rounds (12). Only
the ratios measured within one process get extra rounds: those of
groupecho and the TLS figures come from separate processes and stay as
noisy as the machine (their spread is shown, they run --reps rounds). The
run ends with the list of targets met and missed and the line
"targets: N met, M missed"; it exits 0 either way (a missed target is a
result). The machine's raw loopback round trip (raw C's median in the
pingpong figure) is printed above the tables: compare ratios, not
microseconds, across machines.

groupwait measures the library's group wait and raw epoll_wait over the
same sockets in one process, in alternating batches; groupecho runs one
echo server per implementation against the same client process. The Unix
domain socket figures put their sockets in a directory made under /tmp
and removed at the end.

The TLS figures compare the library's TLS peers with OpenSSL's libssl used
directly (bench/tls_openssl.c, built in when pkg-config finds openssl) and
with the library's own plain TCP in the same run (the cost of TLS). Their
certificates are made by c-tests/tls_certs.sh (the openssl command) in the
same temporary directory; without it, or without libssl-dev, the rows say
skipped. tlsinfo runs once and reports what the library's client
negotiates with an OpenSSL server that follows the client's preferences."""

import argparse
import csv
import datetime
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The CPU every process of the run is pinned to (--one-cpu), or None.
ONE_CPU = None
# The spinners of --busy (one per CPU), or [] when the run has none.
SPINNERS = []
ROOT = os.path.join(HERE, "..")
BENCH = os.path.join(ROOT, "build", "bench", "bench")
RESULTS = os.path.join(HERE, "results")
SPREAD_GOAL = 0.03  # more rounds while a target ratio's spread is above this
SIDE = "raw+sptcp"  # bench.c: raw C and the library in one process


def run(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    found = {}
    skipped = None
    for line in out.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "RESULT":
            _, figure, impl, metric, value, unit = parts[:6]
            found[(figure, impl, metric)] = (float(value), unit)
        elif parts and parts[0] == "SKIPPED":
            skipped = line
        elif parts and parts[0] == "INFO":
            seen = INFO.setdefault(f"{parts[1]} {parts[2]}", [])
            if " ".join(parts[3:]) not in seen:
                seen.append(" ".join(parts[3:]))
    return found, skipped


# "figure impl" -> what the runs printed on their INFO lines (each text once)
INFO = {}


def make_certs(tmp):
    """The TLS figures' certificates, in tmp/certs; None when they cannot be made."""
    out = os.path.join(tmp, "certs")
    try:
        made = subprocess.run(["sh", os.path.join(ROOT, "c-tests", "tls_certs.sh"), out],
                              capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out if made.returncode == 0 else None


# ---- the spread of a median ---------------------------------------------------

def ci_rank(n, level=0.95):
    """The rank l (from 1) of the lower end of a distribution-free confidence
    interval of the median of n values, [x(l), x(n + 1 - l)] of the sorted
    values: the largest l whose coverage 1 - 2 P(B <= l - 1), B ~
    Binomial(n, 1/2), is at least `level`; 1 (the min and the max) when no
    rank reaches it (n <= 5)."""
    best, below = 1, 0.0
    for l in range(1, (n + 1) // 2 + 1):
        below += math.comb(n, l - 1) / 2 ** n  # P(B <= l - 1)
        if 1 - 2 * below < level:
            break
        best = l
    return best


def spread(values):
    """The spread of the median of `values` (one per round), relative to it:
    half the width of the distribution-free ~95 % confidence interval of
    the median from order statistics, over the median. With the R values
    sorted, x(1) <= ... <= x(R), the interval is [x(l), x(R + 1 - l)],
    l = the largest rank whose coverage 1 - 2 P(B <= l - 1), B ~
    Binomial(R, 1/2), is still >= 95 %: R = 6..8: l = 1 (the min and the
    max; 97-99 %), R = 9..11: l = 2, R = 12..14: l = 3, R = 15..16: l = 4.
    For R <= 5 no rank reaches 95 % and the rule takes l = 1, the min and
    the max (coverage 1 - 2^(1-R): 94 % for R = 5, 88 % for 4, 75 % for 3).
    spread = (x(R + 1 - l) - x(l)) / 2 / median. None for fewer than 2
    values."""
    if len(values) < 2:
        return None
    xs = sorted(values)
    med = statistics.median(xs)
    l = ci_rank(len(xs))
    return (xs[len(xs) - l] - xs[l - 1]) / 2 / abs(med) if med else None


# ---- targets --------------------------------------------------------------------

def side_ratio(figure, metric, num="sptcp", den="raw"):
    """A round's ratio: the one its process printed (RESULT figure ratio
    metric), else num's value / den's in the same round."""
    def get_ratio(r):
        v = r.get((figure, "ratio", metric))
        if v is not None:
            return v
        a, b = r.get((figure, num, metric)), r.get((figure, den, metric))
        return a / b if a is not None and b else None
    return get_ratio


def quotient(a, b):
    """A round's a / b (keys of the same round)."""
    def get_quotient(r):
        x, y = r.get(a), r.get(b)
        return x / y if x is not None and y else None
    return get_quotient


def value(key):
    return lambda r: r.get(key)


class Target:
    """A target: what it says, the figure that measures it, how a round's
    ratio comes out of that round's RESULT values, and the bound."""

    def __init__(self, name, figure, label, per_round, op, bound, unit="", ratio=True, one_process=True):
        self.name, self.figure, self.label, self.per_round = name, figure, label, per_round
        self.op, self.bound, self.unit, self.ratio = op, bound, unit, ratio
        # the round's ratio comes from one process (else from separate
        # processes of the round: shown with its spread, no extra rounds)
        self.one_process = one_process

    def text(self):
        return f"{self.op} {self.bound:.2f}{self.unit}" if self.bound < 10 else f"{self.op} {self.bound:g}{self.unit}"

    def met(self, v):
        return v >= self.bound if self.op == "≥" else v <= self.bound


TARGETS = [
    Target("bulk", "bulk", "bulk throughput, library / raw C", side_ratio("bulk", "throughput"), "≥", 0.97),
    Target("pingpong", "pingpong", "ping-pong median, library / raw C", side_ratio("pingpong", "median_us"), "≤", 1.03),
    Target("pingpong_p99", "pingpong", "ping-pong p99, library / raw C", side_ratio("pingpong", "p99_us"), "≤", 1.10),
    Target("udsbulk", "udsbulk", "UDS bulk throughput, library / raw C", side_ratio("udsbulk", "throughput"), "≥", 0.97),
    Target("udspingpong", "udspingpong", "UDS ping-pong median, library / raw C",
           side_ratio("udspingpong", "median_us"), "≤", 1.03),
    Target("udspingpong_p99", "udspingpong", "UDS ping-pong p99, library / raw C",
           side_ratio("udspingpong", "p99_us"), "≤", 1.10),
    Target("churn", "churn", "churn (connect + accept + message + close), library / raw C",
           side_ratio("churn", "rate"), "≥", 0.95),
    Target("var_dict", "var", "small Dictionary put_var/get_var round trip / u32 round trip",
           side_ratio("var", "dict_to_u32", "dict", "u32"), "≤", 1.05),
    Target("pypingpong", "pypingpong", "Python ping-pong median, package / socket",
           side_ratio("pypingpong", "median_us", "package", "socket"), "≤", 1.2),
    Target("pybulk", "pybulk", "Python bulk receive, package / socket",
           side_ratio("pybulk", "throughput", "package", "socket"), "≥", 0.95),
    Target("pybulk_send", "pybulk", "Python bulk send, package / socket",
           side_ratio("pybulk", "send_throughput", "package", "socket"), "≥", 0.95),
    Target("groupwait", "groupwait", "group wait (timeout 0) / epoll_wait",
           quotient(("groupwait", "sptcp", "wait_us"), ("groupwait", "raw", "wait_us")), "≤", 1.5),
    Target("pollpass", "groupwait", "one sptcp_poll pass / one group wait",
           quotient(("groupwait", "sptcp", "poll_pass_us"), ("groupwait", "sptcp", "wait_us")), "≥", 100, "×"),
    Target("memory", "groupwait", "resident memory per idle peer with its group entry",
           value(("groupwait", "sptcp", "rss_per_peer")), "≤", 1024, " bytes", ratio=False),
    Target("groupecho", "groupecho", "echo server (1 % active), library / raw epoll",
           quotient(("groupecho", "sptcp", "rate"), ("groupecho", "raw", "rate")), "≥", 0.9, one_process=False),
    Target("tlsbulk", "tlsbulk", "TLS bulk, library / OpenSSL",
           quotient(("tlsbulk", "sptcp", "throughput"), ("tlsbulk", "openssl", "throughput")), "≥", 0.9, one_process=False),
    Target("tlshs", "tlshs", "TLS full handshakes (P-256), library / OpenSSL",
           quotient(("tlshs", "sptcp", "rate"), ("tlshs", "openssl", "rate")), "≥", 0.8, one_process=False),
    Target("tlshsrsa", "tlshsrsa", "TLS full handshakes (RSA-2048), library / OpenSSL",
           quotient(("tlshsrsa", "sptcp", "rate"), ("tlshsrsa", "openssl", "rate")), "≥", 0.8, one_process=False),
]
TARGET = {t.name: t for t in TARGETS}

# Ratios shown in the tables without a target.
EXTRA_RATIOS = {
    "var_int": side_ratio("var", "int_to_u32", "int", "u32"),
    "var_bytes1k": side_ratio("var", "bytes1k_to_u32", "bytes1k", "u32"),
    "pypingpong_p99": side_ratio("pypingpong", "p99_us", "package", "socket"),
}

# The implementations the extra rounds run (the ones a target compares);
# a figure not named here runs all of its own.
CORE = {"bulk": [SIDE], "pingpong": [SIDE]}


def stat(rounds, per_round):
    """(median, spread, rounds) of per_round over the rounds that have it."""
    vals = [v for v in (per_round(r) for r in rounds) if v is not None]
    if not vals:
        return None, None, 0
    return statistics.median(vals), spread(vals), len(vals)


# ---- running ----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--reps", type=int, default=5, help="rounds of every figure (the minimum)")
    ap.add_argument("--max-reps", type=int, default=12,
                    help="most rounds of a figure whose target ratio's spread is still above 3 %%")
    ap.add_argument("--figures", help="comma-separated figures to run (default: all); only prints the tables")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--one-cpu", action="store_true",
                      help="run everything on one CPU (the quickest loopback; writes one-cpu.*)")
    mode.add_argument("--busy", action="store_true",
                      help="keep every CPU busy with a nice-19 spinner (a quick loopback on two CPUs; writes busy.*)")
    args = ap.parse_args()
    if args.one_cpu:
        global ONE_CPU
        ONE_CPU = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {ONE_CPU})
    # The Unix domain sockets live in a directory under /tmp (the bench
    # makes its own inside it with mkdtemp); removed even if a run is killed.
    with tempfile.TemporaryDirectory(prefix="sptcp-bench-", dir="/tmp") as tmp:
        if args.busy:
            start_spinners()
        try:
            bench(args, tmp)
        finally:
            stop_spinners()


# A spinner: the lowest priority, pinned to one CPU, and gone once the
# run that started it is (it looks at its parent every ~10 ms of spinning).
SPIN = """import os, sys, time
os.nice(19)
os.sched_setaffinity(0, {int(sys.argv[1])})
parent = os.getppid()
while os.getppid() == parent:
    end = time.perf_counter() + 0.01
    while time.perf_counter() < end:
        pass
"""


def start_spinners():
    for cpu in sorted(os.sched_getaffinity(0)):
        SPINNERS.append(subprocess.Popen([sys.executable, "-c", SPIN, str(cpu)]))
    time.sleep(0.2)  # each has lowered its priority and moved to its CPU
    dead = [p for p in SPINNERS if p.poll() is not None]
    if dead:
        stop_spinners()
        sys.exit("bench: --busy: a spinner exited at once (exit status %s)" % dead[0].returncode)


def stop_spinners():
    for p in SPINNERS:
        p.kill()
    for p in SPINNERS:
        p.wait()
    SPINNERS.clear()


def bench(args, tmp):
    started = time.monotonic()
    # --smoke: one round, then one extra round of the target figures (the
    # spread of one round is unknown), to run that code too
    reps = 1 if args.smoke else max(1, args.reps)
    max_reps = 2 if args.smoke else max(reps, args.max_reps)
    s = args.smoke
    py_env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"), SPTCP_BENCH_BIN=BENCH,
                  STREAMPEER_TCP_LIB=os.path.join(ROOT, "target", "release", "libstreampeer_tcp.so"))
    uds_env = dict(os.environ, SPTCP_BENCH_TMPDIR=tmp)
    py = [sys.executable, os.path.join(HERE, "py_bench.py")]
    tls_env = dict(os.environ)
    tls_env.pop("SPTCP_BENCH_CERTS", None)
    tls_impls = ["sptcp", "openssl", "plain"]  # plain: the library over plain TCP, same sizes
    plan = [
        # raw+sptcp: raw C and the library in one process, alternating segments
        ("bulk", [SIDE, "libuv", "sdl2net"], lambda i: [BENCH, "bulk", i, "8" if s else "1024"], None),
        ("udsbulk", [SIDE], lambda i: [BENCH, "udsbulk", i, "8" if s else "1024"], uds_env),
        # (libuv and SDL2_net: informational, fewer round trips)
        ("pingpong", [SIDE, "libuv", "sdl2net"],
         lambda i: [BENCH, "pingpong", i, "200" if s else "100000" if i == SIDE else "30000"], None),
        ("udspingpong", [SIDE], lambda i: [BENCH, "udspingpong", i, "200" if s else "100000"], uds_env),
        ("churn", [SIDE], lambda i: [BENCH, "churn", i, "50" if s else "6000"], None),
        ("var", ["sptcp"], lambda i: [BENCH, "var", i, "200" if s else "20000"], None),
        # the socket module and the package in one Python process, one C far end
        ("pybulk", ["socket+package"], lambda i: py + ["bulk", i, "8" if s else "2048"], py_env),
        ("pypingpong", ["socket+package"], lambda i: py + ["pingpong", i, "200" if s else "40000"], py_env),
        # one run measures sptcp_group_wait and raw epoll_wait side by side
        ("groupwait", ["sptcp"], lambda i: [BENCH, "groupwait", i, "100" if s else "10000"], None),
        # connections (1 % active), round trips per active connection
        ("groupecho", ["sptcp", "raw", "libuv"],
         lambda i: [BENCH, "groupecho", i, "200" if s else "10000", "100" if s else "3000"], None),
        # TLS: MiB; cycles (connect + full handshake + u32 + close) with a P-256 / RSA-2048 server key
        ("tlsbulk", tls_impls, lambda i: [BENCH, "tlsbulk", i, "4" if s else str(TLS_BULK_MIB)], tls_env),
        ("tlshs", tls_impls, lambda i: [BENCH, "tlshs", i, "20" if s else "1500", "ec"], tls_env),
        ("tlshsrsa", tls_impls, lambda i: [BENCH, "tlshs", i, "10" if s else "600", "rsa"], tls_env),
        ("tlsinfo", ["sptcp"], lambda i: [BENCH, "tlsinfo", i], tls_env),  # once: see below
    ]
    idle_sizes = [10, 100] if s else [100, 1000, 10000]
    only = None
    if args.figures:
        only = set()
        groups = {"uds": {"udsbulk", "udspingpong"}, "groups": {"groupwait", "groupecho"},
                  "tls": {"tlsbulk", "tlshs", "tlshsrsa", "tlsinfo"}, "python": {"pybulk", "pypingpong"}}
        for f in args.figures.split(","):
            only |= groups.get(f.strip(), {f.strip()})
        known = {p[0] for p in plan} | {"idle"}
        if only - known:
            sys.exit(f"bench: unknown figures {', '.join(sorted(only - known))}; known: {', '.join(sorted(known))}")
        plan = [p for p in plan if p[0] in only]
        if "idle" not in only:
            idle_sizes = []
    if any(p[0].startswith("tls") for p in plan):
        certs = make_certs(tmp)
        if certs:
            tls_env["SPTCP_BENCH_CERTS"] = certs
    rounds = []  # one dict per round: (figure, impl, metric) -> value
    units = {}
    skipped = []

    def one_round(figures, core):
        found_all = {}
        for figure, impls, cmd, env in plan:
            if figure not in figures or (figure == "tlsinfo" and rounds):
                continue
            for impl in (CORE.get(figure, impls) if core else impls):
                found, skip = run(cmd(impl), env)
                if skip:
                    if not rounds:
                        skipped.append(skip)
                    continue
                for key, (v, unit) in found.items():
                    found_all[key] = v
                    units[key] = unit
        if not core:
            for n in idle_sizes:
                found, _ = run([BENCH, "idle", "sptcp", str(n)])
                for key, (v, unit) in found.items():
                    if key[0].startswith("idle"):
                        found_all[key] = v
                        units[key] = unit
        rounds.append(found_all)

    every = {p[0] for p in plan}
    for rep in range(reps):
        one_round(every, core=False)
        print(f"bench: round {rep + 1} of {reps} done ({time.monotonic() - started:.0f} s)", flush=True)
    ran_rounds = {f: reps for f in every}
    while True:
        wide = [t for t in TARGETS if t.ratio and t.one_process and t.figure in every and ran_rounds[t.figure] < max_reps
                and stat(rounds, t.per_round)[2] > 0 and not settled(stat(rounds, t.per_round))]
        if not wide:
            break
        figures = {t.figure for t in wide}
        for f in figures:
            ran_rounds[f] += 1
        names = ", ".join(f"{t.name} ±{fmt_spread(stat(rounds, t.per_round)[1])}" for t in wide)
        one_round(figures, core=True)
        print(f"bench: extra round of {', '.join(sorted(figures))} (spread above {SPREAD_GOAL:.0%} before it: {names}; "
              f"{time.monotonic() - started:.0f} s)", flush=True)
    result = {}
    for key in {k for r in rounds for k in r}:
        result[key] = (statistics.median([r[key] for r in rounds if key in r]), units[key])
    write(result, rounds, skipped, idle_sizes, reps, max_reps, args.smoke,
          ran=None if only is None else every, took=time.monotonic() - started)


def settled(st):
    """Whether a (median, spread, rounds) needs no more rounds."""
    return st[1] is not None and st[1] <= SPREAD_GOAL


def fmt_spread(sp):
    return f"{sp * 100:.1f} %" if sp is not None else "?"


TLS_BULK_MIB = 256


def get(result, figure, impl, metric):
    v = result.get((figure, impl, metric))
    return v[0] if v else None


def ratio(a, b):
    return f"{a / b:.3f}" if a is not None and b else "-"


def write(result, rounds, skipped, idle_sizes, reps, max_reps, smoke, ran=None, took=0.0):
    """ran: the figures run when --figures chose some (only their rows are
    shown, and nothing but smoke results is written), None for all."""
    save = ran is None or smoke

    def want(*figures):
        return ran is None or any(f in ran for f in figures)

    stats = {t.name: stat(rounds, t.per_round) for t in TARGETS}
    stats.update({name: stat(rounds, f) for name, f in EXTRA_RATIOS.items()})

    def rcell(name, fmt="{:.3f}"):
        """A ratio cell: the median of the per-round ratios ± its spread."""
        med, sp, _ = stats[name]
        if med is None:
            return "-"
        return fmt.format(med) + (f" ±{fmt_spread(sp)}" if sp is not None else "")

    def rnum(name, fmt="{:.3f}"):
        med = stats[name][0]
        return fmt.format(med) if med is not None else "-"

    def rspread(name):
        sp = stats[name][1]
        return f"{sp * 100:.1f}%" if sp is not None else ""

    os.makedirs(RESULTS, exist_ok=True)
    # The run's kind names its results (a smoke run writes smoke.* whatever its kind).
    kind = "one-cpu" if ONE_CPU is not None else "busy" if SPINNERS else "latest"
    name = "smoke" if smoke else kind
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    rounds_text = (f"{reps} round" + ("s" if reps > 1 else "") if reps == max_reps else
                   f"at least {reps} round" + ("s" if reps > 1 else "") + f" (up to {max_reps} while the spread of "
                   f"its target ratio was above {SPREAD_GOAL:.0%}; the Targets list gives each one's count)")
    lines = [
        f"# streampeer_tcp benchmarks ({when})",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores, Linux {platform.release()}; loopback TCP and Unix domain sockets. "
        f"Each figure ran {rounds_text}; a value is the median over its rounds. "
        "A ratio is the median over the rounds of the ratio each round measured, within one process where it can "
        "(raw C and the library in alternating segments: `bench <figure> raw+sptcp`), ± its spread: the half-width "
        "of a distribution-free ~95 % confidence interval of that median, relative to it (order statistics: "
        "the min and max up to 8 rounds, the 2nd smallest and largest for 9 to 11, the 3rd for 12 to 14; with 5 "
        "rounds or fewer the min and max cover less than 95 %: 94 % for 5). So a ratio is not the quotient of the two medians beside it. "
        "Ratio = this library / raw C (for latency, lower is better); for the UDS rows raw C is raw AF_UNIX "
        "SOCK_STREAM sockets; libuv and SDL2_net ran in processes of their own (informational). The group echo "
        "server and TLS ratios come from separate processes of each round (no extra rounds).",
    ]
    if ONE_CPU is not None:
        lines += ["", f"**Every process of this run was on one CPU** (CPU {ONE_CPU}, `--one-cpu`: `make bench-quick`): "
                  "the two ends of each connection took turns on it, so no wake-up crossed to another CPU and the "
                  "loopback round trip is the quickest this machine has; the library's own costs show most here."]
    if SPINNERS:
        lines += ["", f"**Every CPU was kept busy during this run** ({len(SPINNERS)} spinning processes at nice 19, one "
                  "pinned to each CPU, `--busy`: `make bench-busy`): a benchmark thread that wakes preempts a spinner, "
                  "and no CPU halts between wake-ups, so the loopback round trip is quick with the two ends on two CPUs. "
                  "The u32 round trip of the Variant table is measured there too (it can differ from the ping-pong's)."]
    loop = get(result, "pingpong", "raw", "median_us")
    if loop is not None:
        p99 = get(result, "pingpong", "raw", "p99_us")
        lines += ["", f"Loopback round trip on this machine (raw C, u32 ping-pong over 127.0.0.1, TCP_NODELAY): "
                  f"{loop:.1f} µs median" + (f", {p99:.1f} µs p99" if p99 is not None else "") + "."]
    lines += [
        "",
        "| figure | streampeer_tcp | raw C | libuv | SDL2_net | ratio to raw C | target |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = []

    def row(label, figure, metric, unit, target, fmt="{:.1f}", impls=("sptcp", "raw", "libuv", "sdl2net")):
        # impls None: not measured for this figure ("-")
        if not want(figure):
            return
        vals = [get(result, figure, i, metric) if i else None for i in impls]
        cells = [fmt.format(v) + f" {unit}" if v is not None else "skipped" if i else "-" for v, i in zip(vals, impls)]
        t = TARGET[target]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {rcell(target)} | {t.text()} |")
        rows.append([label, unit] + [v if v is not None else "" for v in vals] + [rnum(target), t.text(), rspread(target)])

    uds = ("sptcp", "raw", None, None)  # raw C = raw AF_UNIX sockets
    row("bulk, 1 GiB in 64 KiB blocks", "bulk", "throughput", "MiB/s", "bulk")
    row("UDS bulk, 1 GiB in 64 KiB blocks", "udsbulk", "throughput", "MiB/s", "udsbulk", impls=uds)
    row("ping-pong u32, median", "pingpong", "median_us", "µs", "pingpong", "{:.2f}")
    row("ping-pong u32, p99", "pingpong", "p99_us", "µs", "pingpong_p99", "{:.2f}")
    row("UDS ping-pong u32, median", "udspingpong", "median_us", "µs", "udspingpong", "{:.2f}", impls=uds)
    row("UDS ping-pong u32, p99", "udspingpong", "p99_us", "µs", "udspingpong_p99", "{:.2f}", impls=uds)
    row("connect + accept + message + close", "churn", "rate", "conn/s", "churn", "{:.0f}")
    if not rows:  # none of the main table's figures ran (--figures)
        del lines[-2:]
    if want("var"):
        lines += ["", "| messages: round trip on one connected pair (the u32 one on a second pair, same process, "
                  "same echo thread) | median | round trips/s | more than the u32 round trip (both ends' work) "
                  "| ratio to the u32 round trip | target |",
                  "|---|---|---|---|---|---|"]
        u32_med = get(result, "var", "u32", "median_us")
        for case, label, ratio_name in [("u32", "u32 (put_u32 / get_u32)", None), ("int", "int (put_var / get_var)", "var_int"),
                                        ("dict", "small Dictionary (put_var / get_var)", "var_dict"),
                                        ("bytes1k", "1 KiB PackedByteArray (put_var / get_var)", "var_bytes1k")]:
            med = get(result, "var", case, "median_us")
            rate = get(result, "var", case, "rate")
            target = TARGET[ratio_name].text() if ratio_name in TARGET else "-"
            r = rcell(ratio_name) if ratio_name else "1"
            more = f"{med - u32_med:+.2f} µs" if med and u32_med and ratio_name else "-"
            lines.append(f"| {label} | {med:.2f} µs | {rate:.0f} | {more} | {r} | {target} |" if med
                         else f"| {label} | - | - | - | - | {target} |")
            rows.append([f"var {case}", "µs", med, "", "", "", rnum(ratio_name) if ratio_name else "1", target,
                         rspread(ratio_name) if ratio_name else ""])
    if want("pybulk", "pypingpong"):
        lines += ["", "| Python (one process, the same C far end for both) | package | socket module | ratio | target |",
                  "|---|---|---|---|---|"]
        for figure, metric, unit, fmt, label, ratio_name in [
                ("pypingpong", "median_us", "µs", "{:.2f}", "ping-pong u32, median (put_u32 / get_u32 against "
                 "sendall / recv MSG_WAITALL)", "pypingpong"),
                ("pypingpong", "p99_us", "µs", "{:.2f}", "ping-pong u32, p99", "pypingpong_p99"),
                ("pybulk", "throughput", "MiB/s", "{:.1f}", "bulk receive from a C source, 64 KiB blocks "
                 "(get_data(65536) against recv(65536, MSG_WAITALL))", "pybulk"),
                ("pybulk", "send_throughput", "MiB/s", "{:.1f}", "bulk send to a C sink, 64 KiB blocks "
                 "(put_data against sendall)", "pybulk_send")]:
            if not want(figure):
                continue
            pk, so = get(result, figure, "package", metric), get(result, figure, "socket", metric)
            target = TARGET[ratio_name].text() if ratio_name in TARGET else "-"
            cell = (lambda v: fmt.format(v) + f" {unit}" if v is not None else "-")
            lines.append(f"| {label} | {cell(pk)} | {cell(so)} | {rcell(ratio_name)} | {target} |")
            rows.append([f"python {label}", unit, pk, so, "", "", rnum(ratio_name), target, rspread(ratio_name)])
    if idle_sizes:
        lines += ["", "| idle connected peers | one sptcp_poll pass over all | per peer | active peer's round trip (server polls every peer each turn) | resident memory per idle peer |",
                  "|---|---|---|---|---|"]
        for n in idle_sizes:
            f = f"idle{n}"
            vals = [get(result, f, "sptcp", m) for m in ("poll_pass_us", "poll_per_peer_ns", "active_rtt_us", "rss_per_peer")]
            if None in vals:
                continue
            lines.append(f"| {n} | {vals[0]:.1f} µs | {vals[1]:.0f} ns | {vals[2]:.1f} µs | {vals[3]:.0f} bytes |")
            rows.append([f"idle {n}", "µs/ns/µs/bytes"] + vals + ["", "", ""])
    if want("groupwait", "groupecho"):
        group_rows(result, lines, rows, want, rcell, rnum, rspread)
    if want("tlsbulk", "tlshs", "tlshsrsa", "tlsinfo"):
        tls_rows(result, lines, rows, want, smoke, rcell, rnum, rspread)
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped)]
    lines += ["", f"The run took {took / 60:.1f} minutes."]
    targets_list(lines, stats, want)
    text = "\n".join(lines) + "\n"
    if not save:
        print(f"bench: --figures given: results not written ({kind}.* keep the last full run)")
        print(text, end="")
        return
    with open(os.path.join(RESULTS, f"{name}.md"), "w") as f:
        f.write(text)
    with open(os.path.join(RESULTS, f"{name}.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["figure", "unit", "streampeer_tcp", "raw_c_or_socket", "libuv", "sdl2net", "ratio", "target", "spread"])
        w.writerows([round(c, 3) if isinstance(c, float) else c for c in r] for r in rows)
    if name == "latest":
        plots(result, idle_sizes)
    print(text, end="")


def targets_list(lines, stats, want):
    """The final list: every target of the figures that ran, its ratio ±
    spread over how many rounds, MET or MISSED. Returns the summary line
    (also added to lines)."""
    met = missed = unmeasured = 0
    out = []
    for t in TARGETS:
        if not want(t.figure):
            continue
        med, sp, n = stats[t.name]
        if med is None:
            unmeasured += 1
            out.append(f"- not measured: {t.label} {t.text()}")
            continue
        ok = t.met(med)
        met += ok
        missed += not ok
        shown = f"{med:.0f}" if t.unit else f"{med:.3f}"
        extra = ", separate processes" if not t.one_process else ""
        if t.ratio and t.one_process and sp is not None and sp > SPREAD_GOAL:
            extra = f", spread still above {SPREAD_GOAL:.0%}"
        spread_text = f" ±{fmt_spread(sp)}" if sp is not None else ""
        out.append(f"- {'MET' if ok else 'MISSED'}: {t.label} {t.text()}: {shown}{t.unit}{spread_text} "
                   f"({n} round{'s' if n != 1 else ''}{extra})")
    summary = f"targets: {met} met, {missed} missed" + (f", {unmeasured} not measured" if unmeasured else "")
    if out:
        lines += ["", "## Targets", ""] + out + ["", summary]
    return summary


def group_rows(result, lines, rows, want, rcell, rnum, rspread):
    """The poll group rows: group wait against raw epoll_wait and against
    one sptcp_poll pass, memory per idle peer, the echo server."""
    def cell(v, fmt, unit):
        return fmt.format(v) + f" {unit}" if v is not None else "-"

    lines += ["", "| poll groups | streampeer_tcp | raw C (epoll) | libuv | ratio | target |", "|---|---|---|---|---|---|"]
    if want("groupwait"):
        n = get(result, "groupwait", "sptcp", "peers")
        gw, ew = get(result, "groupwait", "sptcp", "wait_us"), get(result, "groupwait", "raw", "wait_us")
        pp = get(result, "groupwait", "sptcp", "poll_pass_us")
        rss, entry = get(result, "groupwait", "sptcp", "rss_per_peer"), get(result, "groupwait", "sptcp", "rss_group_entry")
        peers = f"{n:.0f}" if n else "?"
        label = f"one wait (timeout 0) over {peers} idle peers"
        lines.append(f"| {label} | {cell(gw, '{:.3f}', 'µs')} | {cell(ew, '{:.3f}', 'µs')} | - | {rcell('groupwait')} | {TARGET['groupwait'].text()} |")
        rows.append([label, "µs", gw, ew, "", "", rnum("groupwait"), TARGET["groupwait"].text(), rspread("groupwait")])
        label = f"one sptcp_poll pass over the same {peers} peers (ratio: pass / group wait)"
        lines.append(f"| {label} | {cell(pp, '{:.1f}', 'µs')} | - | - | {rcell('pollpass', '{:.0f}×')} | {TARGET['pollpass'].text()} |")
        rows.append([label, "µs", pp, "", "", "", rnum("pollpass", "{:.0f}"), TARGET["pollpass"].text(), rspread("pollpass")])
        label = f"resident memory per idle peer with its group entry (the entry alone: {cell(entry, '{:.0f}', 'bytes')})"
        lines.append(f"| {label} | {cell(rss, '{:.0f}', 'bytes')} | - | - | - | {TARGET['memory'].text()} |")
        rows.append([label, "bytes", rss, "", "", "", "", TARGET["memory"].text(), rspread("memory")])
    if want("groupecho"):
        conns, active = get(result, "groupecho", "sptcp", "connections"), get(result, "groupecho", "sptcp", "active")
        sp, raw, uv = (get(result, "groupecho", i, "rate") for i in ("sptcp", "raw", "libuv"))
        label = (f"echo server, {conns:.0f} connections, {active:.0f} active (u32 ping-pong)" if conns and active
                 else "echo server, 1 % of the connections active")
        uv_cell = cell(uv, "{:.0f}", "msg/s") if uv is not None else "skipped"
        lines.append(f"| {label} | {cell(sp, '{:.0f}', 'msg/s')} | {cell(raw, '{:.0f}', 'msg/s')} | {uv_cell} | {rcell('groupecho')} | {TARGET['groupecho'].text()} |")
        rows.append([label, "msg/s", sp, raw, uv if uv is not None else "", "", rnum("groupecho"), TARGET["groupecho"].text(),
                     rspread("groupecho")])
        lines.append(f"| echo server, this library / libuv (medians) | - | - | - | {ratio(sp, uv)} | - |")
        rows.append(["echo server, this library / libuv", "", "", "", "", "", ratio(sp, uv), "-", ""])


def tls_rows(result, lines, rows, want, smoke, rcell, rnum, rspread):
    """The TLS rows: the library against OpenSSL, then TLS against the
    library's plain TCP (informational), then what was negotiated."""
    def cell(v, fmt, unit):
        return fmt.format(v) + f" {unit}" if v is not None else "skipped"

    mib = 4 if smoke else TLS_BULK_MIB
    cases = [("tlsbulk", "throughput", "MiB/s", "{:.1f}", f"bulk, {mib} MiB in 64 KiB blocks (blocking put_data / get_data, a thread each side)", TARGET["tlsbulk"].text()),
             ("tlshs", "rate", "conn/s", "{:.0f}", "full handshakes/s, P-256 ECDSA server key (connect + handshake + u32 + close)", TARGET["tlshs"].text()),
             ("tlshsrsa", "rate", "conn/s", "{:.0f}", "full handshakes/s, RSA-2048 server key (the same)", TARGET["tlshsrsa"].text())]
    cases = [c for c in cases if want(c[0])]
    if cases:
        lines += ["", "| TLS over loopback TCP | streampeer_tcp (rustls) | OpenSSL (libssl directly) | ratio | target |",
                  "|---|---|---|---|---|"]
        for figure, metric, unit, fmt, label, target in cases:
            sp, os_ = get(result, figure, "sptcp", metric), get(result, figure, "openssl", metric)
            lines.append(f"| {label} | {cell(sp, fmt, unit)} | {cell(os_, fmt, unit)} | {rcell(figure)} | {target} |")
            rows.append([f"TLS {label}", unit, sp, os_ if os_ is not None else "", "", "", rnum(figure), target, rspread(figure)])
        lines += ["", "| the cost of TLS for the library (informational) | with TLS | plain TCP (same sizes, same run) | ratio TLS / plain (medians) |",
                  "|---|---|---|---|"]
        plain = {"tlsbulk": f"bulk, {mib} MiB", "tlshs": "connections/s, P-256 key (plain: connect + accept + u32 + close)",
                 "tlshsrsa": "connections/s, RSA-2048 key (the same)"}
        for figure, metric, unit, fmt, _, _ in cases:
            sp, pl = get(result, figure, "sptcp", metric), get(result, figure, "plain", metric)
            lines.append(f"| {plain[figure]} | {cell(sp, fmt, unit)} | {cell(pl, fmt, unit)} | {ratio(sp, pl)} |")
            rows.append([f"TLS cost: {plain[figure]}", unit, sp, pl, "", "", ratio(sp, pl), "-", ""])
    notes = []
    for key, label in [("tlsinfo sptcp", "the library's client with an OpenSSL server on its defaults"),
                       ("tlsbulk openssl", "the OpenSSL pair (pinned to that suite and group)")]:
        if key in INFO:
            notes.append(f"{label}: {' / '.join(INFO[key])}")
    if notes:
        lines += ["", "Negotiated: " + "; ".join(notes) + ". Both clients verify the chain and the name; "
                  "no session tickets, no resumption; TCP_NODELAY on in the handshake figures."]


def plots(result, idle_sizes):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: matplotlib is not installed: no plots")
        return
    impls = ["sptcp", "raw", "libuv", "sdl2net"]
    names = ["streampeer_tcp", "raw C", "libuv", "SDL2_net"]
    # TCP, then the Unix domain socket figures
    figs = [("bulk", "pingpong", i) for i in impls] + [("udsbulk", "udspingpong", i) for i in ("sptcp", "raw")]
    names = [n + "\nTCP" for n in names] + ["streampeer_tcp\nUDS", "raw C\nUDS"]
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.2))
    bulk = [get(result, b, i, "throughput") or 0 for b, _, i in figs]
    axes[0].bar(names, bulk, color=["#3a7", "#888", "#58c", "#c85", "#3a7", "#888"])
    axes[0].set_title("Bulk throughput (MiB/s, higher is better)")
    med = [get(result, p, i, "median_us") or 0 for _, p, i in figs]
    p99 = [get(result, p, i, "p99_us") or 0 for _, p, i in figs]
    x = range(len(figs))
    axes[1].bar([i - 0.2 for i in x], med, width=0.4, label="median")
    axes[1].bar([i + 0.2 for i in x], p99, width=0.4, label="p99")
    axes[1].set_xticks(list(x), names)
    axes[1].set_title("Ping-pong round trip (µs, lower is better)")
    for ax in axes[:2]:
        ax.tick_params(axis="x", labelsize=8)
    axes[1].legend()
    ns = [n for n in idle_sizes if get(result, f"idle{n}", "sptcp", "poll_pass_us") is not None]
    axes[2].plot(ns, [get(result, f"idle{n}", "sptcp", "poll_pass_us") for n in ns], "o-", label="poll pass over all peers")
    axes[2].plot(ns, [get(result, f"idle{n}", "sptcp", "active_rtt_us") for n in ns], "s-", label="active peer round trip")
    axes[2].set_xscale("log")
    axes[2].set_yscale("log")
    axes[2].set_xlabel("idle connected peers")
    axes[2].set_title("Idle connections (µs)")
    axes[2].legend()
    fig.tight_layout()
    out = os.path.join(RESULTS, "latest.png")
    fig.savefig(out, dpi=90)
    print(f"bench: wrote {out}")


if __name__ == "__main__":
    main()
