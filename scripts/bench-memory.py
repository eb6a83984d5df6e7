#!/usr/bin/env python3
"""Resident memory of Session Lab, idle and under load; beside the tutorial's Express app when
one is given.

Run from the project root after a release build:

    cargo leptos build --release --precompress
    scripts/bench-memory.py                                  # default store (SQLite)
    scripts/bench-memory.py --args "--session-store memory"
    scripts/bench-memory.py --express-peer DIR               # also an Express app in DIR
                                                             # (node app.js, PORT from the env)

The server starts fresh on one core. "idle" is the resident set 3 s after start-up; "under
load" is the highest resident set sampled every 20 ms while wrk (on the other core) loads each
of the four logged-in pages for --seconds, after the logins (password hashing is not page
work). Needs wrk (apt-get install -y wrk); node only with --express-peer.
"""
import argparse, os, shutil, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


class PeakSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, benchlib.rss_mb(self.pid))
            time.sleep(0.02)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--bin", default="target/release/session-lab")
    ap.add_argument("--args", default="", help="extra arguments for session-lab")
    ap.add_argument("--express-peer", help="directory of an Express app to measure beside ours")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run `cargo leptos build --release --precompress` first")
    data = tempfile.mkdtemp(prefix="bench-memory-")
    servers = {}
    try:
        port = benchlib.free_port()
        servers["ours"] = (f"http://127.0.0.1:{port}",
                           benchlib.start_session_lab(a.bin, port, data, *a.args.split()))
        if a.express_peer:
            port = benchlib.free_port()
            servers["express"] = (f"http://127.0.0.1:{port}", subprocess.Popen(
                ["taskset", "-c", "1", "node", "app.js"], cwd=a.express_peer,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=dict(os.environ, PORT=str(port), NODE_ENV="production")))
        for name, (base, proc) in servers.items():
            benchlib.wait_up(base, "/healthz" if name == "ours" else "/shop", proc)
        time.sleep(3)
        idle = {name: benchlib.rss_mb(proc.pid) for name, (_, proc) in servers.items()}
        benchlib.register(servers["ours"][0])
        peaks = {}
        for name, (base, proc) in servers.items():
            cookies = {s[0]: benchlib.login(base, s[1]) for s in benchlib.SCENARIOS}
            sampler = PeakSampler(proc.pid)
            sampler.start()
            for scenario, _, page in benchlib.SCENARIOS:
                benchlib.wrk(base, page, cookies[scenario], a.seconds)
            sampler.running = False
            sampler.join()
            peaks[name] = sampler.peak
        names = list(servers)
        print(f"{'resident MB':14}" + "".join(f"{n:>9}" for n in names))
        for label, figures in (("idle", idle), ("under load", peaks)):
            print(f"{label:14}" + "".join(f"{figures[n]:9.1f}" for n in names))
    finally:
        for _, proc in servers.values():
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
