"""What the project's benchmark scripts share: free ports, resident memory, starting the
server (and the bare-axum ceiling), logging in like a browser, and wrk. Standard library only;
loopback only."""
import http.cookiejar, os, re, shutil, socket, subprocess, sys, time, urllib.error
import urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Optional: a bare axum server answering a small cookie-dependent page, the "ceiling" the
# latency and profile scripts compare with when it is there. It takes its port as its one
# argument and answers `/` and `/healthz`. Without it, bench-latency.py takes fixed rates
# (--rps) and bench-profile.py profiles our server only.
CEILING = os.path.join(ROOT, "target", "bench-ceiling", "release", "ceiling")
USER, PASSWORD = "alice", "correct horse battery"

# (name, login path, page to load): every page is a logged-in GET.
SCENARIOS = [
    ("shop-apple", "/shop/login", "/shop/apple"),
    ("session-profile", "/session/login", "/session/profile"),
    ("jwt-profile", "/jwt/login", "/jwt/profile"),
    ("cookie-profile", "/cookie/login", "/cookie/profile"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def wait_up(base, path, proc, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit(f"server exited early ({proc.returncode}): {' '.join(proc.args)}")
        try:
            urllib.request.urlopen(base + path, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{base} did not answer in {seconds} s")


def start_session_lab(binary, port, data_dir, *extra, cores="1"):
    """The server on one core (one tokio worker), a fresh data directory, no config file."""
    return subprocess.Popen(
        ["taskset", "-c", cores, binary, "--addr", f"127.0.0.1:{port}", "--data-dir", data_dir,
         "--config", "/dev/null", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
        env=dict(os.environ, TOKIO_WORKER_THREADS="1", RUST_LOG="warn"))


def start_ceiling():
    """The ceiling on core 1, as our server runs; returns (process, base URL) once it answers."""
    port = free_port()
    proc = subprocess.Popen(["taskset", "-c", "1", CEILING, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_up(base, "/healthz", proc)
    return proc, base


def stop(procs, *directories):
    """Ends the servers a benchmark started and removes its temporary directories."""
    for proc in procs:
        proc.terminate()
        proc.wait()
    for directory in directories:
        shutil.rmtree(directory, ignore_errors=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def post_form(base, path, fields, jar=None):
    """A same-origin form POST, as the app's pages send it; returns the status."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar if jar is not None else http.cookiejar.CookieJar()),
        _NoRedirect)
    request = urllib.request.Request(
        base + path, data=urllib.parse.urlencode(fields).encode(),
        headers={"Origin": base, "Sec-Fetch-Site": "same-origin"})
    try:
        return opener.open(request).status
    except urllib.error.HTTPError as e:
        return e.code


def register(base):
    status = post_form(base, "/register", {"username": USER, "password": PASSWORD,
                                           "confirm": PASSWORD})
    if status >= 400 and status != 409:
        sys.exit(f"register at {base} failed: {status}")


def login(base, login_path):
    """Logs in and returns the Cookie header the browser would send afterwards."""
    jar = http.cookiejar.CookieJar()
    status = post_form(base, login_path, {"username": USER, "password": PASSWORD}, jar)
    if status not in (301, 302, 303):
        sys.exit(f"login at {base}{login_path} failed: {status}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(base, path, cookie, seconds, connections=50):
    """wrk on core 0 against one page; returns (requests per second, p99 in ms)."""
    out = subprocess.run(["taskset", "-c", "0", "wrk", "-t1", f"-c{connections}",
                          f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", base + path],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        sys.exit(f"{base}{path}: {non2xx.group(1)} error responses under load:\n{out}")
    return rps, p99
