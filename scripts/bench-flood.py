#!/usr/bin/env python3
"""A login flood against Session Lab: peak memory and answers, not a timed test.

    cargo build -p session-lab [--release]
    scripts/bench-flood.py [--binary target/release/session-lab] [--requests 200] [--clients 100]

Starts the server on a free loopback port with a fresh data directory (SQLite, behind a
pretend proxy: `--client-address-header x-real-ip`), registers one account, then sends all
--requests `POST /api/token` calls at once, spread over --clients addresses, half with the
right password. Every argon2id check holds 19 MiB, so without a bound on concurrent hashes
the resident set grows with the flood; with it, the excess waits briefly or gets `503` with
`Retry-After`. Prints the answers by status, whether every 503 carried Retry-After, the
peak resident set (sampled every 10 ms) and whether the process survived. Loopback only;
the flood is bounded in count and each call times out after 60 s.
"""
import argparse, collections, http.client, json, os, shutil, socket, subprocess, sys
import tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, free_port, rss_mb  # noqa: E402


def post(port, path, body, headers=None, form=False):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    if form:
        payload = "&".join(f"{k}={v}" for k, v in body.items())
        kind = "application/x-www-form-urlencoded"
    else:
        payload, kind = json.dumps(body), "application/json"
    all_headers = {"content-type": kind, "origin": f"http://127.0.0.1:{port}"}
    all_headers.update(headers or {})
    connection.request("POST", path, payload, all_headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.getheader("retry-after")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.path.join(ROOT, "target", "release", "session-lab")
    if not os.path.exists(default):
        default = os.path.join(ROOT, "target", "debug", "session-lab")
    parser.add_argument("--binary", default=default)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=100)
    args = parser.parse_args()
    if not 1 <= args.clients <= 254:
        parser.error("--clients must be between 1 and 254")

    data = tempfile.mkdtemp(prefix="session-lab-flood-")
    port = free_port()
    server = subprocess.Popen(
        [args.binary, "--addr", f"127.0.0.1:{port}", "--data-dir", data,
         "--client-address-header", "x-real-ip", "--config", "/dev/null"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        password = "correct horse battery"
        status, _ = post(port, "/register",
                         {"username": "flood", "password": password, "confirm": password},
                         form=True)
        assert status == 303, f"registration answered {status}"
        idle = rss_mb(server.pid)

        peak, sampling = [idle], [True]

        def sample():
            while sampling[0]:
                peak[0] = max(peak[0], rss_mb(server.pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        answers, lock = [], threading.Lock()
        start = threading.Barrier(args.requests)

        def call(n):
            # Documentation addresses (RFC 5737), only ever written into the header.
            address = f"192.0.2.{n % args.clients}"
            body = {"username": "flood",
                    "password": password if n % 2 == 0 else "wrong password!"}
            start.wait()
            try:
                answer = post(port, "/api/token", body, {"x-real-ip": address})
            except Exception as error:  # noqa: BLE001 - a dropped connection is a result too
                answer = (f"error: {type(error).__name__}", None)
            with lock:
                answers.append(answer)

        began = time.monotonic()
        threads = [threading.Thread(target=call, args=(n,)) for n in range(args.requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - began
        time.sleep(0.2)
        sampling[0] = False
        sampler.join()
        alive = server.poll() is None

        counts = collections.Counter(status for status, _ in answers)
        unavailable = [retry for status, retry in answers if status == 503]
        print(f"binary: {os.path.relpath(args.binary, ROOT)}; {args.requests} concurrent "
              f"POST /api/token from {args.clients} addresses in {took:.1f} s")
        print("answers: " + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items(), key=str)))
        if unavailable:
            with_retry = sum(1 for retry in unavailable if retry)
            print(f"503 with Retry-After: {with_retry} of {len(unavailable)}")
        print(f"resident set: idle {idle:.1f} MB, peak {peak[0]:.1f} MB")
        print(f"process alive afterwards: {'yes' if alive else 'NO'}")
        failed = (not alive or counts.get(500, 0) > 0 or peak[0] >= 256
                  or any(not retry for retry in unavailable))
        sys.exit(1 if failed else 0)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
