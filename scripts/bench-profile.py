#!/usr/bin/env python3
"""Where a request's time goes: a `perf` profile of one page under load, grouped by layer.

Starts the release server on core 1 (one tokio worker) with a fresh data directory, logs in,
puts the page under `wrk` load from core 0 and records the server with `perf record -g` for a
few seconds. Every sample is then put in the first layer whose rule matches its thread, binary
or symbol name (kernel, allocation, HTTP, HTML rendering, sessions and cookies, ...), and each
layer's share is turned into microseconds per request with the throughput measured meanwhile.
With the bare-axum ceiling binary (see scripts/bench-latency.py) and --ceiling, the same for it.

    cargo leptos build --release
    scripts/bench-profile.py                                   # /session/profile on SQLite
    scripts/bench-profile.py --page jwt --args "--session-store memory"
    scripts/bench-profile.py --ceiling --symbols 30            # also the ceiling; top symbols

Needs `perf` (apt-get install -y linux-perf) and permission to profile another process
(root, or kernel.perf_event_paranoid <= 1). Symbol names group well only with a release build
that keeps its symbols (ours does: no `strip`).
"""
import argparse, collections, os, re, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

CEILING = benchlib.CEILING

# (layer, rule on (thread, binary, symbol)): the first rule that matches takes the sample.
LAYERS = [
    ("SQLite store thread", lambda t, b, s: t.startswith("sqlite")),
    ("kernel: loopback TCP, epoll, scheduler", lambda t, b, s: "kernel" in b),
    ("allocation (mimalloc)", lambda t, b, s: re.search(r"\bmi_|_mi_|mimalloc", s)),
    ("memcpy, memcmp", lambda t, b, s: re.search(r"mem(move|cpy|cmp|set)|__memcmp|strlen", s)),
    ("HTML rendering (leptos, tachys)",
     lambda t, b, s: re.search(r"tachys|leptos|reactive_graph|to_html|escape", s)),
    ("HTTP (hyper, httparse, http)",
     lambda t, b, s: re.search(r"hyper|httparse|http::|HeaderMap|header::", s)),
    ("sessions and cookies (tower-sessions, cookie, tower-cookies, serde)",
     lambda t, b, s: re.search(
         r"tower_sessions|tower_cookies|cookie::|rmp|serde_json|SessionManager|CookieManager"
         r"|Record", s)),
    ("JWT and crypto (jsonwebtoken, sha2, hmac, base64, aes)",
     lambda t, b, s: re.search(r"jsonwebtoken|sha2|hmac|Sha256|base64|ring|aes", s)),
    ("middleware and routing (axum, tower, tower-http, our layers)",
     lambda t, b, s: re.search(r"axum|tower|security::|Guard|matchit|routing|middleware", s)),
    ("tokio and tracing", lambda t, b, s: re.search(r"tokio|tracing|Instrumented|mio|waker", s)),
    ("collections (the session record's and cookie jar's maps)",
     lambda t, b, s: re.search(r"btree|hashbrown|HashMap|BTreeMap|sip::Hasher|serde_core", s)),
    ("our handlers and services", lambda t, b, s: re.search(r"app::|session_lab::", s)),
    ("formatting, other", lambda t, b, s: True),
]


def perf_samples(data):
    """(share %, thread, binary, symbol) for every symbol in a recording, self time only."""
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort",
                          "comm,dso,sym", "-g", "none", "-q"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+(\S+)\s+\[.\]\s+(.*)", line)
        if m:
            yield float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()


def profile(pid, base, page, cookie, seconds, data):
    """Records `pid` while wrk loads `page`; returns the throughput meanwhile."""
    benchlib.wrk(base, page, cookie, 2)  # warm-up
    perf = subprocess.Popen(["perf", "record", "-F", "1999", "-g", "-p", str(pid), "-o", data,
                             "--", "sleep", str(seconds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    rps, _ = benchlib.wrk(base, page, cookie, seconds - 1)
    if perf.wait() != 0:
        sys.exit("perf record failed: is perf installed, and may this user profile?")
    return rps


def report(title, data, rps, symbols):
    layers = collections.OrderedDict((name, 0.0) for name, _ in LAYERS)
    top = []
    for share, thread, binary, symbol in perf_samples(data):
        top.append((share, symbol))
        name = next(name for name, rule in LAYERS if rule(thread, binary, symbol))
        layers[name] += share
    per_request = 1e6 / rps
    print(f"\n{title}: {rps:,.0f} req/s, {per_request:.1f} µs of one core per request")
    print("| layer | share | µs per request |\n|---|---|---|")
    for name, share in layers.items():
        if share >= 0.05:
            print(f"| {name} | {share:.1f} % | {share / 100 * per_request:.1f} |")
    for share, symbol in sorted(top, reverse=True)[:symbols]:
        print(f"  {share:5.2f} %  {symbol[:110]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(benchlib.ROOT, "target/release/session-lab"))
    ap.add_argument("--args", default="", help="extra server flags, e.g. '--session-store memory'")
    ap.add_argument("--page", default="session",
                    choices=[name.split("-")[0] for name, _, _ in benchlib.SCENARIOS])
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--ceiling", action="store_true", help=f"also profile {CEILING}")
    ap.add_argument("--symbols", type=int, default=0, help="also list the top N symbols")
    a = ap.parse_args()
    if not shutil.which("perf"):
        sys.exit("needs perf: apt-get install -y linux-perf")
    name, login, page = next(s for s in benchlib.SCENARIOS if s[0].startswith(a.page))

    work = tempfile.mkdtemp(prefix="session-lab-profile-")
    procs = []
    try:
        port = benchlib.free_port()
        ours = benchlib.start_session_lab(a.bin, port, os.path.join(work, "data"),
                                          *a.args.split(), cores="1")
        procs.append(ours)
        base = f"http://127.0.0.1:{port}"
        benchlib.wait_up(base, "/healthz", ours)
        benchlib.register(base)
        cookie = benchlib.login(base, login)
        data = os.path.join(work, "ours.data")
        rps = profile(ours.pid, base, page, cookie, a.seconds, data)
        report(f"{name} ({a.args or 'SQLite, the default'})", data, rps, a.symbols)

        if a.ceiling:
            if not os.path.exists(CEILING):
                sys.exit(f"no ceiling binary at {CEILING}")
            ceiling, base = benchlib.start_ceiling()
            procs.append(ceiling)
            data = os.path.join(work, "ceiling.data")
            rps = profile(ceiling.pid, base, "/", "x=1", a.seconds, data)
            report("ceiling (bare axum)", data, rps, a.symbols)
    finally:
        benchlib.stop(procs, work)


if __name__ == "__main__":
    main()
