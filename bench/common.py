"""What the benchmarks share: paths, the tools they need, wrk, databases, targets.

Every benchmark runs with ``bench/.venv/bin/python`` (``make bench`` builds it),
starts what it measures as subprocesses bound to 127.0.0.1, stops them in
``finally`` blocks (also on Ctrl-C, SIGTERM and its own time limit), and can
write its targets as JSON for ``bench/run.py`` to gather into one table.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
VENV = BENCH / ".venv"
CORES = os.cpu_count() or 1
# The app servers `make serve` starts: config/gunicorn.conf.py's default.
WORKERS = 2 * CORES + 1

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

# PostgreSQL and Redis of this machine; the bench only touches databases named
# bench_* and Redis databases 10-14 (the tests use `test` and 0/15).
PG_BASE = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_BASE = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DBS = {"import": 10, "serving-sqlite": 11, "serving-postgres": 12, "scale": 13, "queries": 14}


class BenchTimeout(Exception):
    """A benchmark ran past its time limit."""


def _raise_exit(signum, frame):
    raise SystemExit(128 + signum)


def _raise_timeout(signum, frame):
    raise BenchTimeout("time limit reached")


@contextlib.contextmanager
def time_limit(seconds):
    """Bound the whole benchmark: SIGALRM raises, so every ``finally`` still stops its servers."""
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)


def require_bench_venv():
    if Path(sys.prefix).resolve() != VENV.resolve():
        sys.exit(f"run this with {VENV.relative_to(ROOT)}/bin/python (`make bench-install` builds it), not {sys.executable}")


def ensure_tools(*commands):
    """wrk and nginx from Debian: install them when missing (as root), or say how."""
    packages = {"wrk": "wrk", "nginx": "nginx"}
    paths = {"wrk": "/usr/bin/wrk", "nginx": "/usr/sbin/nginx"}
    missing = [name for name in commands if not (shutil.which(name) or Path(paths[name]).exists())]
    if not missing:
        return
    wanted = " ".join(packages[name] for name in missing)
    if os.geteuid() != 0:
        sys.exit(f"the benchmarks need {', '.join(missing)}: run `sudo apt-get install -y {wanted}` and try again")
    print(f"installing {wanted} with apt-get", file=sys.stderr)
    # Debian starts nginx on port 80 when it is installed; policy-rc.d says no.
    policy = Path("/usr/sbin/policy-rc.d")
    own_policy = not policy.exists()
    if own_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *wanted.split()], check=True, env=env, timeout=900)
    finally:
        if own_policy:
            policy.unlink()


# -- targets ------------------------------------------------------------------


@dataclass
class Target:
    """One line of the results table: a measured ratio against the issue's limit."""

    group: str  # "import", "serving", "scale"
    name: str  # what is compared, in words
    value: float | None  # the measured ratio (None: could not be measured)
    op: str  # ">=", "<=" or "<"
    limit: float
    unit: str = "×"
    note: str = ""

    @property
    def holds(self):
        if self.value is None:
            return False
        return {">=": self.value >= self.limit, "<=": self.value <= self.limit, "<": self.value < self.limit}[self.op]

    def target_text(self):
        symbol = {">=": "≥", "<=": "≤", "<": "<"}[self.op]
        return f"{symbol} {self.limit:g}{' ' + self.unit if self.unit != '×' else '×'}"

    def value_text(self):
        if self.value is None:
            return "n/a"
        if self.unit == "×":
            return f"{self.value:.2f}×"
        return f"{self.value:,.0f} {self.unit}"


def targets_table(targets):
    """The Markdown table of targets: what, target, measured, holds."""
    lines = ["| benchmark | target | measured | holds |", "|---|---|---|---|"]
    for target in targets:
        name = target.name + (f" ({target.note})" if target.note else "")
        lines.append(f"| {name} | {target.target_text()} | {target.value_text()} | {'✓' if target.holds else '✗'} |")
    return "\n".join(lines)


def report(path, targets, details):
    """Print a benchmark's detail tables and targets; for bench/run.py, also write them to ``path`` as JSON."""
    print(details)
    print()
    print(targets_table(targets))
    if path:
        Path(path).write_text(json.dumps({"targets": [asdict(t) for t in targets], "details": details}, ensure_ascii=False))


def read_results(path):
    payload = json.loads(Path(path).read_text())
    return [Target(**t) for t in payload["targets"]], payload["details"]


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "--:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# -- wrk ------------------------------------------------------------------------


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


@dataclass
class Load:
    rps: float
    p50: float  # milliseconds
    p99: float
    requests: int
    errors: int  # non-2xx/3xx responses plus socket errors


def wrk(url, seconds=5, connections=32, threads=2, warmup=1, timeout=10):
    """Drive ``url`` with wrk for ``seconds`` after a ``warmup``-second run that is thrown away."""
    if warmup:
        _wrk(url, warmup, connections, threads, timeout)
    return _wrk(url, seconds, connections, threads, timeout)


def _wrk(url, seconds, connections, threads, timeout):
    threads = min(threads, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout}s", "--latency", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 30, check=True)
    out = result.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    if not requests:
        return Load(0.0, float("nan"), float("nan"), 0, errors)
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        p99=_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        requests=requests,
        errors=errors,
    )


def wait_idle(url, timeout=60, quiet=0.03, interval=0.25):
    """Wait until the server behind ``url`` has finished the requests wrk left in
    its queue: sync workers go on with requests already sent after wrk hangs up,
    and that work would be charged to whatever is measured next."""
    import psutil

    port = int(re.search(r":(\d+)", url.split("//", 1)[1]).group(1))
    def listens(process):
        with contextlib.suppress(psutil.Error):
            return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in process.net_connections("tcp"))
        return False

    pids = {c.pid for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.laddr.port == port and c.pid}
    processes = set()
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            # The socket is shared by a master and its workers: start from the master.
            top = psutil.Process(pid)
            while top.parent() is not None and listens(top.parent()):
                top = top.parent()
            processes |= {top, *top.children(recursive=True)}

    def cpu():
        total = 0.0
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    deadline = time.monotonic() + timeout
    before, calm = cpu(), 0
    while calm < 2 and time.monotonic() < deadline:
        time.sleep(interval)
        now = cpu()
        calm = calm + 1 if now - before < quiet else 0
        before = now


def ms(value):
    if value != value:  # NaN: nothing finished
        return "—"
    return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"


# -- databases ----------------------------------------------------------------


def postgres_url(name):
    assert name.startswith("bench_"), name
    return f"{PG_BASE}/{name}"


def recreate_postgres(name):
    """An empty PostgreSQL database ``name`` (bench_* only), dropped first if it exists."""
    import psycopg

    assert name.startswith("bench_"), name
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return postgres_url(name)


def redis_url(purpose):
    return f"{REDIS_BASE}/{REDIS_DBS[purpose]}"


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def timed(command, *, env=None, cwd=ROOT, timeout=1800):
    """Run ``command``; return (seconds, CompletedProcess). Raises on a non-zero exit."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return seconds, result
