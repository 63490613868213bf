"""Long fuzz run of the gateway from its own OpenAPI document (the CI test runs a short one).

The gateway runs in-process against an in-process sandbox (real signed calls, real sealed
blobs). Three parts:

* schemathesis: every documented operation, positive and negative generation, with the real
  secret (--examples per operation and mode) and with a wrong or missing secret
  (--wrong-examples); generated bodies get a live blob, a blob sealed with the previous key,
  a live login state or a real (sometimes damaged) auth file swapped in some of the time;
* damaged credentials sealed with the gateway's own key, through library/progress/refresh;
* damaged auth files through the file import.

Prints counts (operations, examples, 5xx, schema violations, secrets leaked) and exits 1 on
any failure. Bounded by the example counts; usage:
``.venv/bin/python bench/gateway_fuzz.py [--examples 300] [--wrong-examples 30] [--damaged 500]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from cryptography.fernet import Fernet
from hypothesis import HealthCheck
from hypothesis import Verbosity
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FUZZ_RANDOM", "1")  # at length: new cases every run, unlike the suite

from audible_gateway.sandbox import SandboxServer  # noqa: E402
from audible_gateway.sandbox.library_gen import generate_library  # noqa: E402
from tests.gateway.conftest import SECRET  # noqa: E402
from tests.hardening.gateway.fuzzing import corrupted  # noqa: E402
from tests.hardening.gateway.fuzzing import fuzz_gateway  # noqa: E402
from tests.hardening.gateway.support import Stack  # noqa: E402


def damaged_runs(stack: Stack, library: list[dict], examples: int) -> tuple[Counter, list[str]]:
    """Damaged sealed credentials and damaged auth files: status counts and any 5xx."""
    real = stack.open_blob(stack.blob)
    routes = ["/api/library", "/api/refresh-token", f"/api/progress/{library[0]['asin']}"]
    counts: Counter[str] = Counter()
    failures: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(data=corrupted(real), route=st.sampled_from([*routes, "file import"]))
    def run(data: dict, route: str) -> None:
        if route == "file import":
            response = stack.post("/api/auth", {"method": "file", "auth_file": data})
        else:
            response = stack.post(route, {"auth": stack.sealer.seal("audible_auth", data)})
        code = (response.json or {}).get("error", {}).get("code", "ok")
        counts[f"{response.status_code} {code}"] += 1
        if response.status_code >= 500:
            changed = sorted(k for k in set(real) | set(data) if real.get(k) != data.get(k))
            failures.append(f"{route}: {response.status_code} {code} (changed: {changed})")

    run()
    return counts, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300, help="per operation and mode")
    parser.add_argument("--wrong-examples", type=int, default=30, help="with a bad secret")
    parser.add_argument("--damaged", type=int, default=500, help="damaged credentials")
    parser.add_argument("--titles", type=int, default=40)
    args = parser.parse_args()

    library = generate_library(args.titles, seed=3)
    with SandboxServer(library) as sandbox:
        old_key = Fernet.generate_key().decode()
        old_blob = Stack(sandbox, keys=old_key).blob
        keys = f"{Fernet.generate_key().decode()},{old_key}"
        stack = Stack(sandbox, keys=keys, GATEWAY_RETRY_ATTEMPTS="2")
        real_auth = stack.open_blob(stack.blob)
        started = [i for i in library if (i.get("listening_status") or {}).get("percent_complete")]
        report = fuzz_gateway(
            stack.app,
            secrets={"real": SECRET, "wrong": SECRET[:-1] + "!", "missing": None},
            real_values={
                "auth": [stack.blob, old_blob],
                "state": [stack.start_login()["state"]],
                "auth_file": st.one_of(st.just(real_auth), corrupted(real_auth)),
                "asin": [library[0]["asin"], *(i["asin"] for i in started[:3])],
            },
            forbidden=[SECRET, *keys.split(",")],
            max_examples=args.examples,
            wrong_secret_examples=args.wrong_examples,
        )
        began = time.monotonic()
        counts, failures = damaged_runs(stack, library, args.damaged)
        damaged_seconds = time.monotonic() - began

    print("schemathesis, every documented operation (positive + negative generation)")
    print(f"  operations fuzzed          {len(report.operations)}: {sorted(report.operations)}")
    print(f"  examples run               {report.examples}")
    print(f"  with real values swapped   {report.substituted}")
    print(f"  statuses                   {dict(sorted(report.statuses.items()))}")
    print(f"  5xx responses              {len(report.server_errors)}")
    print(f"  schema violations          {len(report.schema_violations)}")
    print(f"  secrets in answers         {len(report.leaks)}")
    print(f"  seconds                    {report.seconds:.1f}")
    print("damaged credentials (sealed blobs and auth files)")
    print(f"  examples run               {sum(counts.values())}")
    print(f"  outcomes                   {dict(counts.most_common())}")
    print(f"  5xx responses              {len(failures)}")
    print(f"  seconds                    {damaged_seconds:.1f}")
    problems = report.server_errors + report.schema_violations + report.leaks + failures
    for problem in problems[:20]:
        print("FAIL", problem)
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
