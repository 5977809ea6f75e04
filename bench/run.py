"""`make bench`: every benchmark in turn, then one table of the issue's targets.

    bench/.venv/bin/python bench/run.py [--only import serving scale] [--no-readme]

Runs bench/import_speed.py, bench/serving.py, bench/scale.py and bench/queries.py
one after another (each in its own process, with its own time limit; their
progress goes to stderr, their full output to bench/data/logs/), prints the
table of targets with the measured ratio and ✓/✗, and writes it with the date
and every detail table to bench/results.md and, unless --no-readme, to the
``## Performance`` section at the end of README.md. A benchmark that fails or
runs out of time leaves its targets marked ✗ with the reason, and the others go on.
"""

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, CORES, DATA, ROOT, Target, ensure_tools, read_results, require_bench_venv, targets_table  # noqa: E402

BENCHMARKS = {
    # name: (script, time limit in seconds, its targets as listed when it cannot run)
    "import": ("import_speed.py", 3600, [
        ("import articles/s ÷ Pelican's", ">=", 1.2, "×"), ("import time ÷ (render time ÷ cores)", "<=", 1.15, "×"),
        ("first import ÷ re-import", ">=", 20, "×"), ("peak memory importing 10,000 articles", "<", 300, "MB"),
    ]),
    "serving": ("serving.py", 1800, [
        ("cached pages ÷ static file via WhiteNoise", ">=", 0.9, "×"), ("uncached post ÷ static file", ">=", 0.25, "×"),
        ("uncached tag page ÷ static file", ">=", 0.1, "×"), ("nginx-cached pages ÷ nginx static file", ">=", 0.5, "×"),
    ]),
    "scale": ("scale.py", 2400, [("p50 at 100k posts ÷ p50 at 1k", "<=", 1.5, "×")]),
}
README_HEADING = "## Performance"


def run(name, script, limit, logs):
    """Run one benchmark; return (targets, details, error or None, seconds)."""
    result_file = logs / f"{name}.json"
    result_file.unlink(missing_ok=True)
    log = logs / f"{name}.log"
    started = time.perf_counter()
    print(f"\n== {name}: bench/{script} (log: {log.relative_to(ROOT)})", file=sys.stderr, flush=True)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, str(BENCH / script), "--json", str(result_file), "--time-limit", str(limit)],
            cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True,
        )
        lines = []
        try:
            for line in process.stderr:  # progress lines, shown as they come
                lines.append(line)
                print("   " + line, end="", file=sys.stderr, flush=True)
            process.wait(timeout=limit + 120)
        except subprocess.TimeoutExpired:
            process.terminate()  # SIGTERM: the benchmark stops its servers on the way out
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        out.write("".join(lines))
    seconds = time.perf_counter() - started
    if process.returncode == 0 and result_file.exists():
        targets, details = read_results(result_file)
        return targets, details, None, seconds
    error = (lines[-1].strip() if lines else "") or f"exit status {process.returncode}"
    return None, "", error, seconds


class LoadWatch(threading.Thread):
    """The machine's highest 1-minute load average while the benchmarks run: with
    other work on the machine, req/s and latencies move, and a reader should know."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = os.getloadavg()[0]
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(5):
            self.peak = max(self.peak, os.getloadavg()[0])


def load_note(peak):
    if peak <= CORES:
        return f"the machine was otherwise quiet (load average at most {peak:.1f} on {CORES} cores)"
    return (
        f"the load average peaked at {peak:.1f} on {CORES} cores — wrk and the servers under test count in it, so a "
        f"serving run alone lifts it past {CORES}; other work at the same time would move the serving ratios most, so "
        f"rows far from their limit are the reliable ones"
    )


def readme_section(date, table, targets, seconds, peak_load):
    groups = [group for group in ("import", "serving", "scale") if any(t.group == group for t in targets)]
    counts = "; ".join(
        f"{group}: {sum(t.holds for t in targets if t.group == group)} of {sum(t.group == group for t in targets)}" for group in groups
    )
    held = sum(t.holds for t in targets)
    verdict = "every target holds" if held == len(targets) else f"{held} of {len(targets)} targets hold ({counts}); the ✗ rows do not yet"
    return f"""{README_HEADING}

`make bench` measures what issue 6 asks for — import throughput against Pelican,
serving against a static file, latency at 100,000 posts — and prints ratios,
since absolute times drift on a shared machine. `bench/README.md` says what each
benchmark does, how to run one alone, the query budget of every page and how to
profile; `bench/results.md` has the detail tables of the latest run.

Latest run: {date}, {CORES} cores, `make bench` took {seconds / 60:.0f} minutes: {verdict}.
During it {load_note(peak_load)}.

{table}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    options = parser.parse_args()
    require_bench_venv()
    ensure_tools("wrk", "nginx")
    logs = DATA / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    watch = LoadWatch()
    watch.start()
    targets, details, timings = [], [], []
    for name in options.only:
        script, limit, labels = BENCHMARKS[name]
        found, text, error, seconds = run(name, script, limit, logs)
        timings.append(f"{name} {seconds / 60:.1f} min")
        if error:
            targets += [Target(name, f"{label}: did not run", None, op, limit, unit, note=error) for label, op, limit, unit in labels]
            details.append(f"### {name}\n\nbench/{script} did not finish: {error} (see bench/data/logs/{name}.log)")
        else:
            targets += found
            details.append(text)
    query_file = logs / "queries.json"
    queries = subprocess.run(
        [sys.executable, str(BENCH / "queries.py"), "--json", str(query_file)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if queries.returncode == 0:
        import json

        details.append(json.loads(query_file.read_text())["details"])
    seconds = time.perf_counter() - started
    watch.stop.set()

    table = targets_table(targets)
    held = sum(t.holds for t in targets)
    print(f"\nTinta benchmarks, {date} ({CORES} cores; {', '.join(timings)}; {seconds / 60:.0f} min in all)\n")
    print(table)
    print(f"\n{held} of {len(targets)} targets hold. During the run {load_note(watch.peak)}. Details: bench/results.md")

    machine = f"{CORES} cores, Python {platform.python_version()}, {platform.platform()}"
    (BENCH / "results.md").write_text(
        f"# Benchmark results\n\nLatest `make bench`: {date}; {machine}; took {seconds / 60:.0f} minutes "
        f"({', '.join(timings)}); during it {load_note(watch.peak)}.\n\n## Targets\n\n{table}\n\n"
        f"{held} of {len(targets)} targets hold.\n\n## Details\n\n"
        + "\n\n".join(details) + "\n"
    )
    if not options.no_readme and set(options.only) == set(BENCHMARKS):
        update_readme(readme_section(date, table, targets, seconds, watch.peak))
    # Targets that do not hold are the news, not a failure of the bench; a benchmark that could not run is.
    return 1 if any(t.name.endswith("did not run") for t in targets) else 0


def update_readme(section):
    """Replace README.md's Performance section (up to the next ``## `` heading), or add it at the end."""
    readme = ROOT / "README.md"
    lines = readme.read_text().splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == README_HEADING), None)
    if start is None:
        text = "".join(lines).rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        after = "".join(lines[end:])
        text = "".join(lines[:start]) + section + ("\n" + after if after else "")
    readme.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
