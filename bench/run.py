"""Runs the benchmarks side by side and writes the results.

    python3 bench/run.py [--smoke] [--reps N] [--figures LIST]

Each figure runs for every implementation in turn, REPS rounds, the
implementations interleaved inside each round so that a noisy machine
hurts them alike; each metric is the median over the rounds. Writes
bench/results/latest.md (the table, with ratios to raw C and the
targets), latest.csv, and PNG plots (with matplotlib, when it imports).
--smoke runs tiny amounts once, to check that the harness works.
--figures runs only some figures (comma-separated: bulk, pingpong,
udsbulk, udspingpong, churn, var, pybulk, pypingpong, idle, groupwait,
groupecho, tlsbulk, tlshs, tlshsrsa, tlsinfo; "uds" means
udsbulk,udspingpong; "groups" means groupwait,groupecho; "tls" means
tlsbulk,tlshs,tlshsrsa,tlsinfo) and only prints the table: latest.* keep
the last full run. groupwait measures the library's group wait and raw epoll_wait
over the same sockets in one process, in alternating batches; groupecho
runs one echo server per implementation against the same client
process. The Unix domain socket figures put their sockets in a
directory made under /tmp and removed at the end.

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
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
BENCH = os.path.join(ROOT, "build", "bench", "bench")
RESULTS = os.path.join(HERE, "results")


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--figures", help="comma-separated figures to run (default: all); only prints the table")
    args = ap.parse_args()
    # The Unix domain sockets live in a directory under /tmp (the bench
    # makes its own inside it with mkdtemp); removed even if a run is killed.
    with tempfile.TemporaryDirectory(prefix="sptcp-bench-", dir="/tmp") as tmp:
        bench(args, tmp)


def bench(args, tmp):
    reps = 1 if args.smoke else args.reps
    s = args.smoke
    py_env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"),
                  STREAMPEER_TCP_LIB=os.path.join(ROOT, "target", "release", "libstreampeer_tcp.so"))
    uds_env = dict(os.environ, SPTCP_BENCH_TMPDIR=tmp)
    py = [sys.executable, os.path.join(HERE, "py_bench.py")]
    tls_env = dict(os.environ)
    tls_env.pop("SPTCP_BENCH_CERTS", None)
    tls_impls = ["sptcp", "openssl", "plain"]  # plain: the library over plain TCP, same sizes
    plan = [
        ("bulk", ["raw", "sptcp", "libuv", "sdl2net"], lambda i: [BENCH, "bulk", i, "8" if s else "1024"], None),
        ("udsbulk", ["raw", "sptcp"], lambda i: [BENCH, "udsbulk", i, "8" if s else "1024"], uds_env),
        ("pingpong", ["raw", "sptcp", "libuv", "sdl2net"], lambda i: [BENCH, "pingpong", i, "200" if s else "100000"], None),
        ("udspingpong", ["raw", "sptcp"], lambda i: [BENCH, "udspingpong", i, "200" if s else "100000"], uds_env),
        ("churn", ["raw", "sptcp"], lambda i: [BENCH, "churn", i, "50" if s else "2000"], None),
        ("var", ["sptcp"], lambda i: [BENCH, "var", i, "200" if s else "20000"], None),
        ("pybulk", ["socket", "package"], lambda i: py + ["bulk", i, "8" if s else "256"], py_env),
        ("pypingpong", ["socket", "package"], lambda i: py + ["pingpong", i, "200" if s else "20000"], py_env),
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
        for f in args.figures.split(","):
            groups = {"uds": {"udsbulk", "udspingpong"}, "groups": {"groupwait", "groupecho"},
                      "tls": {"tlsbulk", "tlshs", "tlshsrsa", "tlsinfo"}}
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
    samples = {}
    skipped = []
    for rep in range(reps):
        for figure, impls, cmd, env in plan:
            if figure == "tlsinfo" and rep > 0:
                continue
            for impl in impls:
                found, skip = run(cmd(impl), env)
                if skip:
                    if rep == 0:
                        skipped.append(skip)
                    continue
                for key, (value, unit) in found.items():
                    samples.setdefault(key, ([], unit))[0].append(value)
        for n in idle_sizes:
            found, _ = run([BENCH, "idle", "sptcp", str(n)])
            for key, (value, unit) in found.items():
                if key[0].startswith("idle"):
                    samples.setdefault(key, ([], unit))[0].append(value)
        print(f"bench: round {rep + 1} of {reps} done", flush=True)
    result = {k: (statistics.median(v), unit) for k, (v, unit) in samples.items()}
    write(result, skipped, idle_sizes, reps, args.smoke, ran=None if only is None else {p[0] for p in plan})


TLS_BULK_MIB = 256


def get(result, figure, impl, metric):
    v = result.get((figure, impl, metric))
    return v[0] if v else None


def ratio(a, b):
    return f"{a / b:.3f}" if a is not None and b else "-"


def write(result, skipped, idle_sizes, reps, smoke, ran=None):
    """ran: the figures run when --figures chose some (only their rows are
    shown, and nothing but smoke results is written), None for all."""
    save = ran is None or smoke

    def want(*figures):
        return ran is None or any(f in ran for f in figures)

    os.makedirs(RESULTS, exist_ok=True)
    name = "smoke" if smoke else "latest"
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [
        f"# streampeer_tcp benchmarks ({when})",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores, Linux {platform.release()}; loopback TCP and Unix domain sockets. "
        f"Median of {reps} interleaved rounds; ratio = this library / raw C (for latency, lower is better); "
        "for the UDS rows raw C is raw AF_UNIX SOCK_STREAM sockets.",
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
        r = ratio(vals[0], vals[1])
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {r} | {target} |")
        rows.append([label, unit] + [v if v is not None else "" for v in vals] + [r, target])

    uds = ("sptcp", "raw", None, None)  # raw C = raw AF_UNIX sockets
    row("bulk, 1 GiB in 64 KiB blocks", "bulk", "throughput", "MiB/s", "≥ 0.97")
    row("UDS bulk, 1 GiB in 64 KiB blocks", "udsbulk", "throughput", "MiB/s", "≥ 0.97", impls=uds)
    row("ping-pong u32, median", "pingpong", "median_us", "µs", "≤ 1.03", "{:.2f}")
    row("ping-pong u32, p99", "pingpong", "p99_us", "µs", "-", "{:.2f}")
    row("UDS ping-pong u32, median", "udspingpong", "median_us", "µs", "≤ 1.03", "{:.2f}", impls=uds)
    row("UDS ping-pong u32, p99", "udspingpong", "p99_us", "µs", "≤ 1.03", "{:.2f}", impls=uds)
    row("connect + accept + message + close", "churn", "rate", "conn/s", "≥ 0.9", "{:.0f}")
    if not rows:  # none of the main table's figures ran (--figures)
        del lines[-3:]
    if want("var"):
        lines += ["", "| messages (put_var / get_var round trip) | median | round trips/s | ratio to u32 ping-pong | target |",
                  "|---|---|---|---|---|"]
        u32 = get(result, "pingpong", "sptcp", "median_us")
        for case, label, target in [("int", "int", "-"), ("dict", "small Dictionary", "≤ 1.05"), ("bytes1k", "1 KiB PackedByteArray", "-")]:
            med = get(result, "var", case, "median_us")
            rate = get(result, "var", case, "rate")
            lines.append(f"| {label} | {med:.2f} µs | {rate:.0f} | {ratio(med, u32)} | {target} |" if med else f"| {label} | - | - | - | {target} |")
            rows.append([f"var {label}", "µs", med, "", "", "", ratio(med, u32), target])
    if want("pybulk", "pypingpong"):
        lines += ["", "| Python | package | socket module | ratio | target |", "|---|---|---|---|---|"]
        pb, sb = get(result, "pybulk", "package", "throughput"), get(result, "pybulk", "socket", "throughput")
        pp, sp = get(result, "pypingpong", "package", "median_us"), get(result, "pypingpong", "socket", "median_us")
        lines.append(f"| bulk | {pb:.1f} MiB/s | {sb:.1f} MiB/s | {ratio(pb, sb)} | ≥ 0.9 |" if pb and sb else "| bulk | - | - | - | ≥ 0.9 |")
        lines.append(f"| ping-pong median | {pp:.2f} µs | {sp:.2f} µs | {ratio(pp, sp)} | - |" if pp and sp else "| ping-pong | - | - | - | - |")
        rows.append(["python bulk", "MiB/s", pb, sb, "", "", ratio(pb, sb), "≥ 0.9"])
        rows.append(["python ping-pong median", "µs", pp, sp, "", "", ratio(pp, sp), "-"])
    if idle_sizes:
        lines += ["", "| idle connected peers | one sptcp_poll pass over all | per peer | active peer's round trip (server polls every peer each turn) | resident memory per idle peer |",
                  "|---|---|---|---|---|"]
        for n in idle_sizes:
            f = f"idle{n}"
            vals = [get(result, f, "sptcp", m) for m in ("poll_pass_us", "poll_per_peer_ns", "active_rtt_us", "rss_per_peer")]
            if None in vals:
                continue
            lines.append(f"| {n} | {vals[0]:.1f} µs | {vals[1]:.0f} ns | {vals[2]:.1f} µs | {vals[3]:.0f} bytes |")
            rows.append([f"idle {n}", "µs/ns/µs/bytes"] + vals + ["", ""])
    if want("groupwait", "groupecho"):
        group_rows(result, lines, rows, want)
    if want("tlsbulk", "tlshs", "tlshsrsa", "tlsinfo"):
        tls_rows(result, lines, rows, want, smoke)
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped)]
    text = "\n".join(lines) + "\n"
    if not save:
        print(text)
        print("bench: --figures given: results not written (latest.* keep the last full run)")
        return
    with open(os.path.join(RESULTS, f"{name}.md"), "w") as f:
        f.write(text)
    with open(os.path.join(RESULTS, f"{name}.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["figure", "unit", "streampeer_tcp", "raw_c_or_socket", "libuv", "sdl2net", "ratio", "target"])
        w.writerows(rows)
    print(text)
    if not smoke:
        plots(result, idle_sizes)


def group_rows(result, lines, rows, want):
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
        lines.append(f"| {label} | {cell(gw, '{:.3f}', 'µs')} | {cell(ew, '{:.3f}', 'µs')} | - | {ratio(gw, ew)} | ≤ 1.5 |")
        rows.append([label, "µs", gw, ew, "", "", ratio(gw, ew), "≤ 1.5"])
        speedup = f"{pp / gw:.0f}×" if pp and gw else "-"
        label = f"one sptcp_poll pass over the same {peers} peers (ratio: pass / group wait)"
        lines.append(f"| {label} | {cell(pp, '{:.1f}', 'µs')} | - | - | {speedup} | ≥ 100× |")
        rows.append([label, "µs", pp, "", "", "", f"{pp / gw:.0f}" if pp and gw else "-", "≥ 100"])
        label = f"resident memory per idle peer with its group entry (the entry alone: {cell(entry, '{:.0f}', 'bytes')})"
        lines.append(f"| {label} | {cell(rss, '{:.0f}', 'bytes')} | - | - | - | ≤ 1024 bytes |")
        rows.append([label, "bytes", rss, "", "", "", "", "≤ 1024"])
    if want("groupecho"):
        conns, active = get(result, "groupecho", "sptcp", "connections"), get(result, "groupecho", "sptcp", "active")
        sp, raw, uv = (get(result, "groupecho", i, "rate") for i in ("sptcp", "raw", "libuv"))
        label = (f"echo server, {conns:.0f} connections, {active:.0f} active (u32 ping-pong)" if conns and active
                 else "echo server, 1 % of the connections active")
        uv_cell = cell(uv, "{:.0f}", "msg/s") if uv is not None else "skipped"
        lines.append(f"| {label} | {cell(sp, '{:.0f}', 'msg/s')} | {cell(raw, '{:.0f}', 'msg/s')} | {uv_cell} | {ratio(sp, raw)} | ≥ 0.9 |")
        rows.append([label, "msg/s", sp, raw, uv if uv is not None else "", "", ratio(sp, raw), "≥ 0.9"])
        lines.append(f"| echo server, this library / libuv | - | - | - | {ratio(sp, uv)} | - |")
        rows.append(["echo server, this library / libuv", "", "", "", "", "", ratio(sp, uv), "-"])


def tls_rows(result, lines, rows, want, smoke):
    """The TLS rows: the library against OpenSSL, then TLS against the
    library's plain TCP (informational), then what was negotiated."""
    def cell(v, fmt, unit):
        return fmt.format(v) + f" {unit}" if v is not None else "skipped"

    mib = 4 if smoke else TLS_BULK_MIB
    cases = [("tlsbulk", "throughput", "MiB/s", "{:.1f}", f"bulk, {mib} MiB in 64 KiB blocks (blocking put_data / get_data, a thread each side)", "≥ 0.9"),
             ("tlshs", "rate", "conn/s", "{:.0f}", "full handshakes/s, P-256 ECDSA server key (connect + handshake + u32 + close)", "≥ 0.8"),
             ("tlshsrsa", "rate", "conn/s", "{:.0f}", "full handshakes/s, RSA-2048 server key (the same)", "≥ 0.8")]
    cases = [c for c in cases if want(c[0])]
    if cases:
        lines += ["", "| TLS over loopback TCP | streampeer_tcp (rustls) | OpenSSL (libssl directly) | ratio | target |",
                  "|---|---|---|---|---|"]
        for figure, metric, unit, fmt, label, target in cases:
            sp, os_ = get(result, figure, "sptcp", metric), get(result, figure, "openssl", metric)
            lines.append(f"| {label} | {cell(sp, fmt, unit)} | {cell(os_, fmt, unit)} | {ratio(sp, os_)} | {target} |")
            rows.append([f"TLS {label}", unit, sp, os_ if os_ is not None else "", "", "", ratio(sp, os_), target])
        lines += ["", "| the cost of TLS for the library (informational) | with TLS | plain TCP (same sizes, same run) | ratio TLS / plain |",
                  "|---|---|---|---|"]
        plain = {"tlsbulk": f"bulk, {mib} MiB", "tlshs": "connections/s, P-256 key (plain: connect + accept + u32 + close)",
                 "tlshsrsa": "connections/s, RSA-2048 key (the same)"}
        for figure, metric, unit, fmt, _, _ in cases:
            sp, pl = get(result, figure, "sptcp", metric), get(result, figure, "plain", metric)
            lines.append(f"| {plain[figure]} | {cell(sp, fmt, unit)} | {cell(pl, fmt, unit)} | {ratio(sp, pl)} |")
            rows.append([f"TLS cost: {plain[figure]}", unit, sp, pl, "", "", ratio(sp, pl), "-"])
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
