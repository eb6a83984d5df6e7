#!/usr/bin/env python3
"""Resident memory of Session Lab and of the tutorial's Express app, idle and under load.

Run from the project root after a release build (like ../shared/bench/compare.py, whose
helpers it uses):

    cargo leptos build --release --precompress
    scripts/bench-memory.py                          # default store (SQLite)
    scripts/bench-memory.py --args "--session-store memory"

Both servers start fresh on one core each. "idle" is the resident set 3 s after start-up;
"under load" is the highest resident set sampled every 20 ms while wrk loads each of
compare.py's four logged-in pages for --seconds (after the logins, whose password hashing is
not page work).
"""
import argparse, os, subprocess, sys, tempfile, threading, time, shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "bench"))
import compare  # noqa: E402


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--bin", default="target/release/session-lab")
    ap.add_argument("--args", default="", help="extra arguments for session-lab")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run `cargo leptos build --release --precompress` first")
    data = tempfile.mkdtemp(prefix="bench-memory-")
    p_peer, p_ours = compare.free_port(), compare.free_port()
    peer = subprocess.Popen(["taskset", "-c", "1", "node", "app.js"], cwd=compare.PEER,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PORT=str(p_peer), NODE_ENV="production"))
    ours = subprocess.Popen(["taskset", "-c", "1", a.bin, "--addr", f"127.0.0.1:{p_ours}",
                             "--data-dir", data, *a.args.split()],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, TOKIO_WORKER_THREADS="1", RUST_LOG="warn"))
    try:
        bases = {"express": f"http://127.0.0.1:{p_peer}", "ours": f"http://127.0.0.1:{p_ours}"}
        compare.wait_up(bases["express"], "/shop", peer)
        compare.wait_up(bases["ours"], "/healthz", ours)
        time.sleep(3)
        idle = {"express": rss_mb(peer.pid), "ours": rss_mb(ours.pid)}
        compare.register(bases["ours"])
        cookies = {name: {s[0]: compare.login(base, s[1]) for s in compare.SCENARIOS}
                   for name, base in bases.items()}
        peaks = {}
        for name, proc in (("express", peer), ("ours", ours)):
            sampler = PeakSampler(proc.pid)
            sampler.start()
            for scenario, _, page in compare.SCENARIOS:
                compare.wrk(bases[name], page, cookies[name][scenario], a.seconds, 50)
            sampler.running = False
            sampler.join()
            peaks[name] = sampler.peak
        print(f"{'resident MB':14} {'express':>9} {'ours':>9} {'ours / express':>15}")
        for label, figures in (("idle", idle), ("under load", peaks)):
            e, o = figures["express"], figures["ours"]
            print(f"{label:14} {e:9.1f} {o:9.1f} {o / e:14.0%}")
    finally:
        for proc in (peer, ours):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
