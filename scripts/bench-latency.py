#!/usr/bin/env python3
"""Latency at a fixed offered load: p50, p99 and p99.9 of each page and of the ceiling.

A closed loop (wrk with 50 connections) measures throughput, and its p99 mostly says how many
requests wait in line. Here `oha` sends at a fixed rate with latency correction (a request
that could not be sent on time counts from when it should have been), so the figures say how
long a visitor waits at that load. The rates are given in requests per second (--rps), or as
shares of a ceiling's measured throughput: an optional bare-axum binary at
target/bench-ceiling/release/ceiling (taking its port as its one argument and answering `/`
and `/healthz`), measured beside our pages when it is there. Nothing outside this repository
is needed with --rps.

    cargo leptos build --release && scripts/bench-latency.py --rps 5000,10000
    scripts/bench-latency.py --rps 5000 --args "--session-store memory"
    scripts/bench-latency.py --shares 0.25,0.5        # with a ceiling binary: 25 % and 50 % of it

Each server gets core 1 (one tokio worker), oha core 0. Installs oha from
crates.io (`cargo install oha --locked`) if it is missing.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

CEILING = benchlib.CEILING


def oha():
    found = shutil.which("oha") or os.path.expanduser("~/.cargo/bin/oha")
    if not os.path.exists(found):
        print("==> cargo install oha --locked (once, a few minutes)", file=sys.stderr)
        subprocess.run(["cargo", "install", "oha", "--locked"], check=True)
    return found


def at_rate(tool, url, cookie, rate, seconds, connections):
    """p50, p99, p99.9 in ms at `rate` requests per second, and the share that succeeded."""
    command = ["taskset", "-c", "0", tool, "--no-tui", "--output-format", "json",
               "-z", f"{seconds}s", "-q", str(rate), "--latency-correction",
               "-c", str(connections), url]
    if cookie:
        command[-1:-1] = ["-H", f"Cookie: {cookie}"]
    out = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    percentiles = out["latencyPercentiles"]
    ms = lambda key: (percentiles.get(key) or 0) * 1000  # noqa: E731
    return ms("p50"), ms("p99"), ms("p99.9"), out["summary"]["successRate"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(benchlib.ROOT, "target/release/session-lab"))
    ap.add_argument("--args", default="", help="extra server flags, e.g. '--session-store memory'")
    ap.add_argument("--shares", default="0.25,0.5", help="shares of the ceiling's throughput")
    ap.add_argument("--rps", help="fixed rates instead of shares, e.g. 5000,10000")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=50)
    a = ap.parse_args()
    tool = oha()

    procs, data = [], tempfile.mkdtemp(prefix="session-lab-latency-")
    try:
        port = benchlib.free_port()
        ours = benchlib.start_session_lab(a.bin, port, data, *a.args.split(), cores="1")
        procs.append(ours)
        base = f"http://127.0.0.1:{port}"
        benchlib.wait_up(base, "/healthz", ours)
        benchlib.register(base)
        cookies = {name: benchlib.login(base, login) for name, login, _ in benchlib.SCENARIOS}

        ceiling_url = None
        if os.path.exists(CEILING):
            ceiling, ceiling_base = benchlib.start_ceiling()
            procs.append(ceiling)
            ceiling_url = ceiling_base + "/"
        if a.rps:
            rates = [int(r) for r in a.rps.split(",")]
        elif ceiling_url:
            top, _ = benchlib.wrk(ceiling_url[:-1], "/", "x=1", 5, a.connections)
            print(f"ceiling (bare axum) closed-loop throughput: {top:,.0f} req/s")
            rates = [int(top * float(s)) for s in a.shares.split(",")]
        else:
            sys.exit(f"no ceiling binary at {CEILING}: give the rates with --rps")

        print(f"{'target':18} {'rate/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'ok':>6}"
              + (f" {'p99 / ceiling p99':>18}" if ceiling_url else ""))
        for rate in rates:
            ceiling_p99 = None
            if ceiling_url:
                p50, p99, p999, ok = at_rate(tool, ceiling_url, "x=1", rate, a.seconds, a.connections)
                ceiling_p99 = p99
                print(f"{'ceiling':18} {rate:>8} {p50:>8.2f} {p99:>8.2f} {p999:>9.2f} {ok:>6.1%}")
            for name, _, page in benchlib.SCENARIOS:
                p50, p99, p999, ok = at_rate(tool, base + page, cookies[name], rate, a.seconds,
                                             a.connections)
                ratio = f" {p99 / ceiling_p99:>18.2f}" if ceiling_p99 else ""
                print(f"{name:18} {rate:>8} {p50:>8.2f} {p99:>8.2f} {p999:>9.2f} {ok:>6.1%}{ratio}")
    finally:
        benchlib.stop(procs, data)


if __name__ == "__main__":
    main()
