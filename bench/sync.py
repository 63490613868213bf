"""Benchmark: the whole sync, side by side with its baselines, in one run (``make bench``).

For each N (default 1,000 and 10,000 titles) it starts the sandbox with a generated library of
N titles and the gateway (gunicorn, its deployment settings) as processes, creates three people
with a catalogue of N books each (from the same titles, so the matcher links most and creates
the rest), and measures in three interleaved rounds (so a burst of load on a shared machine
hits every figure alike; each figure is the median of its three runs):

* **floor**: a bare concurrent page fetch from the sandbox (page 1, then all others at once,
  the gateway's response groups, signed, JSON parsed, nothing else);
* **audible-cli**: the unmodified audible-cli 0.6.0's ``library export`` of the same library
  through a TLS-terminating local proxy (``bench/cli_baseline.py``), installed into its own
  venv under the temporary directory (left out, with the reason, when it cannot be installed);
* **gateway**: ``POST /api/library`` as a first sync asks it (every position) and as a
  re-sync asks it (``known_progress``: positions only for titles that moved);
* **first sync**: ``manage.py audible_sync --user P --force`` of a fresh person, whole process;
* **unchanged re-sync**: the same command again; "the sync itself" is the sync log's
  ``duration_ms``, the command overhead is the rest of the process's wall time;
* **start-up + exit alone**: the command for a person who does not exist (Django set up, the
  command imported, one query, the refusal, the exit), wall and CPU seconds: on a machine
  busy with other work CPU seconds move far less than wall time;

then three re-syncs after 1 % of the titles progressed. Each command runs in a fresh process
(``bench/tracker_command.py``: ``manage.py`` plus its peak RSS) on the production settings.
The table gives each figure with its ratio and the issue's target, the Audible requests of an
unchanged re-sync, the gateway workers' and the tracker's peak RSS, and the machine's load.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench .venv/bin/python
bench/sync.py [--sizes 1000,10000] [--no-cli]``. The database is dropped and re-created.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SECRET = "bench-sync-secret-" + "x" * 20
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tracker_sync_bench"
ROUNDS = 3
NOBODY = "no-such-person"


def _django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings_test")
    import django

    django.setup()


def load() -> str:
    return Path("/proc/loadavg").read_text().split(" 1/")[0].rsplit(" ", 1)[0]


# --------------------------------------------------------------------------- measurements
@dataclass
class Figures:
    n: int
    runs: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.runs.setdefault(name, []).append(value)

    def median(self, name: str) -> float | None:
        values = self.runs.get(name)
        return statistics.median(values) if values else None


def command(db_url: str, gateway: str, user: str) -> dict:
    """One ``audible_sync --user`` in a fresh process: wall time, peak RSS, its log row."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings",
        "SECRET_KEY": "bench-" + "k" * 50,
        "DATABASE_URL": db_url,
        "AUDIBLE_SERVICE_URL": gateway,
        "AUDIBLE_API_SECRET": SECRET,
        "AUDIBLE_GATEWAY_READ_TIMEOUT_S": "600",
    }
    env.pop("DEBUG", None)
    argv = [sys.executable, str(ROOT / "bench" / "tracker_command.py")]
    started, cpu_before = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [*argv, "audible_sync", "--user", user, "--force"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if user == NOBODY:  # start-up and exit alone: the command refuses an unknown user
        return {"wall": wall, "cpu": cpu}
    if done.returncode != 0:
        raise SystemExit(f"the sync command failed: {done.stdout[-500:]} {done.stderr[-1500:]}")
    rss = float(done.stderr.strip().splitlines()[-1].split("=")[1])
    from tracker_api.audible_sync.models import AudibleSyncLog

    row = AudibleSyncLog.objects.filter(user__username=user).order_by("-id").first()
    return {"wall": wall, "cpu": cpu, "rss": rss, "log": row}


def _children_cpu() -> float:
    """User + system CPU seconds of the waited-for children (the commands run one at a time),
    which a loaded machine inflates far less than wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor_seconds(sandbox_url: str, auth_data: dict) -> float:
    import audible
    from gateway_library import floor_fetch

    auth = audible.Authenticator.from_dict(dict(auth_data))
    started = time.perf_counter()
    asyncio.run(floor_fetch(sandbox_url, auth))
    return time.perf_counter() - started


def gateway_seconds(gateway: str, blob: str, known: dict | None) -> tuple[float, dict]:
    body: dict = {"auth": blob}
    if known:
        body["known_progress"] = known
    started = time.perf_counter()
    answer = requests.post(
        gateway + "/api/library", json=body, headers={"X-API-Secret": SECRET}, timeout=600
    )
    answer.raise_for_status()
    parsed = answer.json()
    return time.perf_counter() - started, parsed


def gateway_rss_mb(master_pid: int) -> float:
    """Peak RSS (VmHWM) of the largest gunicorn worker of the gateway."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    worst = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                worst = max(worst, int(line.split()[1]))
    return worst / 1024


# --------------------------------------------------------------------------- set-up
def precompile() -> None:
    """Byte-compile the project as the images' ``pip install`` does.

    An editable checkout run with ``PYTHONDONTWRITEBYTECODE=1`` (as here, and in the images'
    environment) would otherwise compile ~80 project modules from source in every command
    process: 0.1-0.3 s that no deployed command pays.
    """
    for package in ("audible_contract", "audible_gateway", "tracker_api"):
        compileall.compile_dir(ROOT / package, quiet=1)


def reset_database(db_url: str) -> None:
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(
        base.replace("postgres://", "postgresql://") + "/postgres", autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings_test",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def make_person(name: str, blob: str, library: list[dict]) -> str:
    from people import connected_person

    from tracker_api.books.models import Book

    user = connected_person(name, blob)
    books = []
    for raw in library:
        authors = [a.get("name") for a in raw.get("authors") or [] if isinstance(a, dict)]
        book = Book(user=user, title=str(raw.get("title") or "")[:500], authors=authors)
        book.refresh_search_text()
        books.append(book)
    Book.objects.bulk_create(books, batch_size=1000)
    return user.username


def progress_some(sandbox_url: str, library: list[dict], round_no: int) -> None:
    """1 % of the active, unfinished books move to 61.5 % (a different 1 % each round)."""
    active = [
        r["asin"]
        for r in library
        if r.get("status", "Active") == "Active"
        and not (r.get("listening_status") or {}).get("is_finished")
        and not r.get("is_finished")
        and (r.get("content_type") or "").lower() != "podcast"
    ]
    count = max(1, len(library) // 100)
    for asin in active[round_no * count : (round_no + 1) * count]:
        requests.patch(
            f"{sandbox_url}/__sandbox/library/{asin}", json={"percent": 61.5}, timeout=10
        ).raise_for_status()


# --------------------------------------------------------------------------- one size
def bench_size(n: int, db_url: str, tmp: Path, cli: Path | None) -> Figures:
    import cli_baseline

    from audible_gateway.sandbox.library_gen import generate_library
    from audible_gateway.sandbox.testing import connect_through_gateway
    from audible_gateway.sealing import Sealer
    from tracker_api.audible_sync.models import AudibleConfig
    from tracker_api.audible_sync.sync.fetch import known_progress
    from tracker_api.demo.processes import ServiceGroup
    from tracker_api.demo.processes import free_port
    from tracker_api.demo.processes import gateway_service
    from tracker_api.demo.processes import sandbox_service

    figures = Figures(n)
    library = generate_library(n, seed=7)
    path = tmp / f"lib{n}.json"
    path.write_text(json.dumps(library))
    key = Fernet.generate_key().decode()
    with ServiceGroup() as group:
        sandbox = group.start(sandbox_service(free_port(), library=path))
        gateway = group.start(
            gateway_service(
                free_port(),
                {
                    "API_SECRET": SECRET,
                    "ENCRYPTION_KEY": key,
                    "AUDIBLE_SANDBOX_URL": sandbox.url,
                    "GATEWAY_UPSTREAM_TIMEOUT_S": "120",
                    "GATEWAY_TIMEOUT": "600",
                },
            )
        )
        blob = connect_through_gateway(gateway.url, SECRET)
        auth_data = Sealer((key.encode(),)).open(blob, "audible_auth").data
        people = [make_person(f"bench{n}_{r}", blob, library) for r in range(ROUNDS)]
        certificates = cli_baseline.make_certificates(tmp / f"tls{n}")
        config_dir = cli_baseline.write_config(tmp / f"cli{n}", auth_data)
        with cli_baseline.TlsProxy(certificates, sandbox.port) as proxy:
            for person in people:
                figures.add("floor", floor_seconds(sandbox.url, auth_data))
                seconds, full = gateway_seconds(gateway.url, blob, None)
                figures.add("gateway_full", seconds)
                if cli is not None:
                    figures.add(
                        "cli",
                        cli_baseline.export_seconds(
                            cli, config_dir, proxy, certificates.ca_file, tmp / "export.json"
                        ),
                    )
                first = command(db_url, gateway.url, person)
                figures.add("first_wall", first["wall"])
                figures.add("first_cpu", first["cpu"])
                figures.add("first_rss", first["rss"])
                figures.add("first_requests", first["log"].audible_requests or 0)
                user_id = AudibleConfig.objects.get(user__username=person).user_id
                seconds, again = gateway_seconds(gateway.url, blob, known_progress(user_id))
                figures.add("gateway_known", seconds)
                figures.add("gateway_known_requests", again["audible_requests"])
                figures.add("gateway_full_requests", full["audible_requests"])
                same = command(db_url, gateway.url, person)
                row = same["log"]
                if (row.updated, row.created, row.linked) != (0, 0, 0):
                    raise SystemExit(f"an unchanged re-sync changed something: {row.changes[:3]}")
                figures.add("unchanged_sync", row.duration_ms / 1000)
                figures.add("unchanged_wall", same["wall"])
                figures.add("unchanged_overhead", same["wall"] - row.duration_ms / 1000)
                figures.add("unchanged_cpu", same["cpu"])
                alone = command(db_url, gateway.url, NOBODY)
                figures.add("startup_wall", alone["wall"])
                figures.add("startup_cpu", alone["cpu"])
                figures.add("unchanged_requests", row.audible_requests or 0)
                figures.add("unchanged_rss", same["rss"])
                figures.add("pages", -(-n // 1000))
            for r in range(ROUNDS):
                progress_some(sandbox.url, library, r)
                moved = command(db_url, gateway.url, people[0])
                figures.add("progressed_wall", moved["wall"])
                figures.add("progressed_requests", moved["log"].audible_requests or 0)
                figures.add("progressed_updated", moved["log"].updated)
        if gateway.process is not None:
            figures.add("gateway_rss", gateway_rss_mb(gateway.process.pid))
    return figures


# --------------------------------------------------------------------------- the table
def _row(
    label: str, value: float | None, ratio: str = "", target: str = "", runs: object = ""
) -> str:
    shown = f"{value:8.3f}" if value is not None else "     n/a"
    return f"| {label:<52} | {shown} | {ratio:<18} | {target:<22} | {runs} |"


def report(f: Figures, cli_note: str) -> None:
    floor, cli = f.median("floor"), f.median("cli")

    def runs(name: str) -> str:
        return ", ".join(f"{v:.3f}" for v in f.runs.get(name, []))

    def vs(value: float | None, base: float | None, what: str) -> str:
        return f"{value / base:.2f} x {what}" if value is not None and base else ""

    big = f.n >= 10_000
    print(f"\nN = {f.n:,} titles, catalogue of {f.n:,} books; median of {ROUNDS} runs (seconds)")
    print(f"| {'figure':<52} | {'seconds':>8} | {'ratio':<18} | {'target':<22} | runs |")
    print(f"|{'-' * 54}|{'-' * 10}|{'-' * 20}|{'-' * 24}|------|")
    print(_row("bare page fetch (the floor)", floor, "1.00 x floor", "", runs("floor")))
    print(_row("audible-cli 0.6.0 library export", cli, vs(cli, floor, "floor"), "",
               runs("cli") or cli_note))  # fmt: skip
    print(_row("gateway POST /api/library, every position", f.median("gateway_full"),
               vs(f.median("gateway_full"), floor, "floor"), "", runs("gateway_full")))  # fmt: skip
    print(_row("gateway POST /api/library, re-sync (known_progress)",
               f.median("gateway_known"), vs(f.median("gateway_known"), floor, "floor"),
               "<= 1.25 x floor" if big else "", runs("gateway_known")))  # fmt: skip
    print(_row("unchanged re-sync, the sync itself", f.median("unchanged_sync"),
               vs(f.median("unchanged_sync"), floor, "floor"),
               "<= 1.5 x floor" if big else "", runs("unchanged_sync")))  # fmt: skip
    print(_row("unchanged re-sync, whole audible_sync command", f.median("unchanged_wall"),
               vs(f.median("unchanged_wall"), cli, "audible-cli"),
               "<= 0.5 x audible-cli" if big else "<= 1 x audible-cli",
               runs("unchanged_wall")))  # fmt: skip
    print(
        _row(
            "command overhead (start-up + exit around the sync)",
            f.median("unchanged_overhead"),
            "",
            "<= 0.35 s",
            runs("unchanged_overhead"),
        )
    )
    print(_row("start-up + exit alone (command, unknown person)",
               f.median("startup_wall"), "", "", runs("startup_wall")))  # fmt: skip
    print(_row("  the same, CPU seconds (user + system)", f.median("startup_cpu"), "", "",
               runs("startup_cpu")))  # fmt: skip
    print(_row("unchanged re-sync, whole command, CPU seconds", f.median("unchanged_cpu"),
               "", "", runs("unchanged_cpu")))  # fmt: skip
    print(_row("first sync, whole command", f.median("first_wall"),
               vs(f.median("first_wall"), cli, "audible-cli"),
               "<= 2 x audible-cli" if big else "", runs("first_wall")))  # fmt: skip
    print(_row("  the same, the command's CPU seconds (user + system)", f.median("first_cpu"),
               "", "", runs("first_cpu")))  # fmt: skip
    print(_row("re-sync after 1 % progressed, whole command", f.median("progressed_wall"),
               vs(f.median("progressed_wall"), cli, "audible-cli"), "",
               runs("progressed_wall")))  # fmt: skip
    pages = int(f.median("pages") or 0)
    print(
        f"Audible requests: unchanged re-sync {runs('unchanged_requests')} (library pages: "
        f"{pages}; target = pages only); first sync {runs('first_requests')}; 1 % progressed "
        f"{runs('progressed_requests')} ({runs('progressed_updated')} books updated); gateway "
        f"every position {runs('gateway_full_requests')}, re-sync "
        f"{runs('gateway_known_requests')}"
    )
    print(
        f"Peak RSS: gateway worker {f.median('gateway_rss'):.0f} MB (target <= 130 MB at "
        f"10,000); tracker first sync {max(f.runs['first_rss']):.0f} MB (target <= 200 MB), "
        f"unchanged re-sync {max(f.runs['unchanged_rss']):.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL") or DEFAULT_DB)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--no-cli", action="store_true", help="leave audible-cli out")
    args = parser.parse_args()
    if not args.db.startswith("postgres"):
        raise SystemExit("bench/sync.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    import cli_baseline

    print(f"load average at start: {load()} (2 cores; `uptime`)")
    precompile()
    reset_database(args.db)
    _django(args.db)
    with tempfile.TemporaryDirectory() as tmp:
        cli, note = (None, "left out (--no-cli)")
        if not args.no_cli:
            cli, note = cli_baseline.install(Path(tmp))
        for n in (int(s) for s in args.sizes.split(",")):
            report(bench_size(n, args.db, Path(tmp), cli), note)
    print(f"\nload average at the end: {load()}")


if __name__ == "__main__":
    main()
