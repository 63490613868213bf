"""Benchmark: the gateway's /api/library on a 10,000-title library, against its floor.

Starts the sandbox (``python -m audible_gateway.sandbox``) and the gateway (real gunicorn,
one sync worker) as processes on loopback, connects an account through the external login,
then times, alternately:

* floor:   a plain httpx fetch of the same pages from the same sandbox, page 1 then pages
           2..N concurrently, signed with the same credentials, JSON parsed, nothing else;
* gateway, first sync: ``POST /api/library`` (all pages, normalisation, every position of the
           titles in progress, JSON answer);
* gateway, re-sync: the same with ``known_progress`` (what a tracker holds after the first
           sync), so only the library pages are asked for.

Prints a table of the medians with their ratios to the floor measured in the same run (target
<= 1.25 for the re-sync), the Audible requests of each, and the gateway worker's peak RSS
(VmHWM, target <= 130 MB). Usage: ``.venv/bin/python bench/gateway_library.py [--titles 10000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import audible
import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audible_gateway.library import RESPONSE_GROUPS  # noqa: E402
from audible_gateway.sandbox.library_gen import generate_library  # noqa: E402
from audible_gateway.sealing import Sealer  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = "bench-secret-" + "x" * 24


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"process for {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def peak_rss_mb(master_pid: int) -> float:
    """VmHWM of the gunicorn worker (the master's only child)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    worst = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                worst = max(worst, int(line.split()[1]))
    return worst / 1024


async def floor_fetch(sandbox_url: str, auth: audible.Authenticator) -> int:
    """The least any client must do: every page, concurrently, signed, parsed."""
    params: dict[str, Any] = {
        "num_results": 1000,
        "response_groups": RESPONSE_GROUPS,
        "status": "Active,Revoked",
    }
    headers = {"Host": "api.audible.com", "Accept": "application/json"}
    async with httpx.AsyncClient(
        base_url=sandbox_url, auth=auth, headers=headers, timeout=60
    ) as http:
        first = await http.get("/1.0/library", params={**params, "page": 1})
        first.raise_for_status()
        total = int(first.headers["Total-Count"])
        count = len(first.json()["items"])
        pages = range(2, math.ceil(total / 1000) + 1)
        answers = await asyncio.gather(
            *(http.get("/1.0/library", params={**params, "page": n}) for n in pages)
        )
        for answer in answers:
            answer.raise_for_status()
            count += len(answer.json()["items"])
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    key = Fernet.generate_key().decode()
    with tempfile.TemporaryDirectory() as tmp:
        library_file = Path(tmp) / "library.json"
        library_file.write_text(json.dumps(generate_library(args.titles, seed=42)))
        sandbox_port, gateway_port = free_port(), free_port()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        sandbox = subprocess.Popen(
            [sys.executable, "-m", "audible_gateway.sandbox", "--library", str(library_file),
             "--port", str(sandbox_port)],
            cwd=ROOT, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        env = {**os.environ, "API_SECRET": SECRET, "ENCRYPTION_KEY": key,
               "AUDIBLE_SANDBOX_URL": sandbox_url, "GATEWAY_UPSTREAM_TIMEOUT_S": "120"}  # fmt: skip
        env.pop("DEBUG", None)
        gateway = subprocess.Popen(
            [str(BIN / "gunicorn"), "audible_gateway:create_app()", "--bind",
             f"127.0.0.1:{gateway_port}", "--workers", "1", "--timeout", "300"],
            cwd=ROOT, env=env, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for(f"{sandbox_url}/__sandbox/state", sandbox)
            wait_for(f"{gateway_url}/health", gateway)
            http = httpx.Client(base_url=gateway_url, headers={"X-API-Secret": SECRET}, timeout=300)
            start = http.post("/api/auth", json={"method": "external", "locale": "us"}).json()
            landing = httpx.get(start["login_url"]).headers["location"]
            done = http.post(
                "/api/auth",
                json={"method": "external", "state": start["state"], "redirect_url": landing},
            ).json()
            blob = done["auth"]
            auth = audible.Authenticator.from_dict(
                Sealer((key.encode(),)).open(blob, "audible_auth").data
            )
            rss_before = peak_rss_mb(gateway.pid)
            times: dict[str, list[float]] = {"floor": [], "first": [], "resync": []}
            requests: dict[str, int] = {}
            known: dict[str, list[Any]] | None = None
            for run in range(args.runs + 1):  # run 0 warms everything up and is not counted
                began = time.perf_counter()
                count = asyncio.run(floor_fetch(sandbox_url, auth))
                floor = time.perf_counter() - began
                if count != args.titles:
                    raise SystemExit(f"floor fetch saw {count} titles")
                first, body = _library(http, {"auth": blob}, args.titles)
                known = known_progress_of(body["items"])
                resync, again = _library(http, {"auth": blob, "known_progress": known}, args.titles)
                requests = {"first": body["audible_requests"], "resync": again["audible_requests"]}
                if run:
                    times["floor"].append(floor)
                    times["first"].append(first)
                    times["resync"].append(resync)
            rss = peak_rss_mb(gateway.pid)
        finally:
            gateway.terminate()
            sandbox.terminate()
            gateway.wait(timeout=10)
            sandbox.wait(timeout=10)

    pages = math.ceil(args.titles / 1000)
    f = statistics.median(times["floor"])
    print(f"{args.titles:,} titles, {pages} library pages; median of {args.runs} runs")
    print(f"| {'figure':<40} | seconds | ratio        | Audible requests | runs |")
    print(f"|{'-' * 42}|---------|--------------|------------------|------|")
    rows = (
        ("bare page fetch (the floor)", "floor", str(pages), ""),
        ("gateway, first sync (every position)", "first", str(requests["first"]), ""),
        ("gateway, re-sync (known_progress)", "resync", str(requests["resync"]), " <= 1.25"),
    )
    for label, key, asked, target in rows:
        value = statistics.median(times[key])
        runs = ", ".join(f"{t:.3f}" for t in times[key])
        ratio = f"{value / f:.2f} x{target}"
        print(f"| {label:<40} | {value:7.3f} | {ratio:<12} | {asked:>16} | {runs} |")
    print(f"gateway worker RSS at idle  {rss_before:.1f} MB")
    print(f"gateway worker peak RSS     {rss:.1f} MB  (target <= 130 MB)")


def _library(http: httpx.Client, body: dict[str, Any], titles: int) -> tuple[float, Any]:
    began = time.perf_counter()
    answer = http.post("/api/library", json=body)
    elapsed = time.perf_counter() - began
    parsed = answer.json()
    if answer.status_code != 200 or len(parsed["items"]) != titles:
        raise SystemExit(f"gateway answered {answer.status_code}: {str(parsed)[:300]}")
    return elapsed, parsed


def known_progress_of(items: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """What a tracker sends after a first sync: per title in progress, the state it holds."""
    known = {}
    for item in items:
        p = item["progress"]
        if 0 < p["percent"] < 100 and not p["is_finished"] and isinstance(p["position_ms"], int):
            known[item["asin"]] = [
                p["percent"], p["time_remaining_s"], p["position_ms"], p["position_updated_at"],
            ]  # fmt: skip
    return known


if __name__ == "__main__":
    main()
