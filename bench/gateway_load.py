"""Load: 20 concurrent /api/library fetches against the gateway as deployed, on loopback.

Starts the sandbox (``python -m audible_gateway.sandbox``) with a generated library and the
gateway under gunicorn with the repository's gunicorn settings (2 workers x 4 threads unless
--workers/--threads say otherwise), both as processes on 127.0.0.1. Connects one account per
client through the external login (each its own registered device and blob; ``--same-blob``
shares one), then:

* baseline: the same fetch one at a time (median of --baseline-runs), measured in this run;
* load:     --concurrency clients each fetching --rounds times, all at once.

Prints throughput, p50/p99 latency, errors, the ratios against the baseline and the peak RSS
of the gateway's workers. Bounded: a fixed number of requests, a per-request timeout and an
overall --max-seconds after which it stops by itself.

Usage: ``.venv/bin/python bench/gateway_load.py [--titles 1000] [--concurrency 20] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audible_gateway.sandbox.library_gen import generate_library  # noqa: E402
from tests.hardening.gateway.processes import free_port  # noqa: E402
from tests.hardening.gateway.processes import gateway_env  # noqa: E402
from tests.hardening.gateway.processes import start_gunicorn  # noqa: E402
from tests.hardening.gateway.processes import stop  # noqa: E402
from tests.hardening.gateway.processes import wait_healthy  # noqa: E402

SECRET = "load-bench-secret-" + "x" * 24


def worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def connect(http: httpx.Client) -> str:
    """The external login as a person does it: open the URL, paste where it lands."""
    start = http.post("/api/auth", json={"method": "external", "locale": "us"}).json()
    landing = httpx.get(start["login_url"]).headers["location"]
    body = {"method": "external", "state": start["state"], "redirect_url": landing}
    done = http.post("/api/auth", json=body)
    done.raise_for_status()
    return str(done.json()["auth"])


def fetch(url: str, blob: str, titles: int, deadline: float) -> tuple[float, str | None]:
    """One /api/library call: (seconds, error or None)."""
    remaining = deadline - time.monotonic()
    if remaining <= 1:
        return 0.0, "skipped: --max-seconds reached"
    began = time.perf_counter()
    try:
        with httpx.Client(timeout=min(180.0, remaining)) as http:
            answer = http.post(
                f"{url}/api/library", json={"auth": blob}, headers={"X-API-Secret": SECRET}
            )
        elapsed = time.perf_counter() - began
        if answer.status_code != 200:
            return elapsed, f"HTTP {answer.status_code}: {answer.text[:120]}"
        if len(answer.json()["items"]) != titles:
            return elapsed, "wrong number of titles"
        return elapsed, None
    except httpx.HTTPError as exc:
        return time.perf_counter() - began, type(exc).__name__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="fetches per client")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--same-blob", action="store_true", help="all clients share one blob")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads per worker")
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()
    deadline = time.monotonic() + args.max_seconds

    with tempfile.TemporaryDirectory() as tmp:
        library_file = Path(tmp) / "library.json"
        library_file.write_text(json.dumps(generate_library(args.titles, seed=7)))
        sandbox_port, gateway_port = free_port(), free_port()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        url = f"http://127.0.0.1:{gateway_port}"
        sandbox = subprocess.Popen(
            [sys.executable, "-m", "audible_gateway.sandbox", "--library", str(library_file),
             "--port", str(sandbox_port)],
            cwd=ROOT, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        env = gateway_env(
            API_SECRET=SECRET,
            ENCRYPTION_KEY=Fernet.generate_key().decode(),
            AUDIBLE_SANDBOX_URL=sandbox_url,
        )
        extra = []
        if args.workers:
            extra.append(f"--workers={args.workers}")
        if args.threads:
            extra.append(f"--threads={args.threads}")
        gateway = start_gunicorn(gateway_port, env, subprocess.DEVNULL, *extra)
        try:
            deadline_up = time.monotonic() + 30
            while time.monotonic() < deadline_up:
                try:
                    httpx.get(f"{sandbox_url}/__sandbox/state", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            wait_healthy(url, gateway)
            with httpx.Client(base_url=url, headers={"X-API-Secret": SECRET}, timeout=60) as http:
                count = 1 if args.same_blob else args.concurrency
                blobs = [connect(http) for _ in range(count)]
            blobs = blobs * args.concurrency if args.same_blob else blobs

            baseline = []
            for run in range(args.baseline_runs + 1):  # run 0 warms up and is not counted
                seconds, error = fetch(url, blobs[0], args.titles, deadline)
                if error:
                    raise SystemExit(f"baseline fetch failed: {error}")
                if run:
                    baseline.append(seconds)
            idle_rss = max((peak_rss_mb(p) for p in worker_pids(gateway.pid)), default=0.0)

            results: list[tuple[float, str | None]] = []
            lock = threading.Lock()

            def client(index: int) -> None:
                for _ in range(args.rounds):
                    outcome = fetch(url, blobs[index], args.titles, deadline)
                    with lock:
                        results.append(outcome)

            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                list(pool.map(client, range(args.concurrency)))
            wall = time.perf_counter() - began
            workers = worker_pids(gateway.pid)
            rss = [peak_rss_mb(p) for p in workers]
        finally:
            stop(gateway)
            sandbox.terminate()
            sandbox.wait(timeout=10)

    ok = [seconds for seconds, error in results if error is None]
    errors = [error for _, error in results if error is not None]
    base = statistics.median(baseline)
    p50, p99 = (percentile(ok, 0.5), percentile(ok, 0.99)) if ok else (float("nan"),) * 2
    throughput = len(ok) / wall
    print(f"titles per library           {args.titles}")
    shape = f"{args.workers or 'conf'} workers x {args.threads or 'conf'} threads"
    print(f"gunicorn                     {shape} (conf: deploy/gunicorn/gateway.py)")
    print(f"clients x rounds             {args.concurrency} x {args.rounds} "
          f"({'one shared blob' if args.same_blob else 'one device/blob each'})")  # fmt: skip
    print(f"requests                     {len(results)}  ok {len(ok)}  errors {len(errors)}")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error} (x{errors.count(error)})")
    print(f"wall time                    {wall:.2f} s")
    print(f"throughput                   {throughput:.2f} libraries/s")
    print(f"latency p50 / p99            {p50:.3f} s / {p99:.3f} s")
    runs = ", ".join(f"{b:.3f}" for b in baseline)
    print(f"baseline: one at a time      {base:.3f} s  (runs: {runs})")
    print(f"ratio p50 / baseline         {p50 / base:.2f}")
    print(f"ratio throughput / serial    {throughput * base:.2f}  (1/baseline = serial rate)")
    print(f"gateway worker RSS at idle   {idle_rss:.1f} MB (largest worker, after the baseline)")
    print(f"gateway worker peak RSS      {max(rss, default=0):.1f} MB largest, "
          f"{sum(rss):.1f} MB all {len(rss)} workers")  # fmt: skip
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
