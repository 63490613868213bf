"""Long fuzz run of the tracker from its own OpenAPI schema (the CI test runs a short one).

The tracker (the Django WSGI application gunicorn serves) runs in-process on a throwaway
PostgreSQL test database, wired to a live gateway and sandbox (threads, real HTTP, real signed
Audible calls, a real sealed blob). A person with data (a synced library, own books, an open
and a resolved conflict) is fuzzed with schemathesis over every operation of
``/api/schema?format=json``, positive and negative generation, with their token (--examples
per operation and mode), and with a wrong token and no token (--other-examples). Path ids and
body fields are swapped for real ones (theirs and another person's) some of the time.

Prints counts (operations, examples, 5xx, schema violations, secrets leaked, statuses) and
exits 1 on any failure. Bounded by the example counts.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_hard .venv/bin/python
bench/tracker_fuzz.py [--examples 150] [--other-examples 20]`` (the test database
``test_<name>`` is created and dropped).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FUZZ_RANDOM", "1")  # at length: new cases every run, unlike the suite
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tracker_hard"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=150, help="per operation and mode")
    parser.add_argument("--other-examples", type=int, default=20, help="wrong / no token")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker_api.config.settings_test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.signals import request_finished
    from django.core.signals import request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    from tests.hardening.tracker.conftest import build_world
    from tests.hardening.tracker.fuzzing import fuzz_tracker
    from tests.hardening.tracker.test_fuzz import real_values
    from tests.hardening.tracker.test_fuzz import secrets_of
    from tests.support.stack import SECRET
    from tests.support.stack import Stack

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    databases = runner.setup_databases()
    stack = Stack()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        settings.ALLOWED_HOSTS = ["localhost", "testserver", "127.0.0.1"]
        settings.AUDIBLE_SERVICE_URL = stack.gateway.url
        settings.AUDIBLE_API_SECRET = SECRET
        settings.AUDIBLE_GATEWAY_RETRY_ATTEMPTS = 2
        settings.AUDIBLE_GATEWAY_RETRY_BASE_S = 0.01
        settings.AUDIBLE_GATEWAY_RETRY_MAX_WAIT_S = 0.05
        settings.AUDIBLE_GATEWAY_RETRY_BUDGET_S = 2
        world = build_world(stack.connect())
        report = fuzz_tracker(
            get_wsgi_application(),
            identities={
                "owner": f"Token {world.owner_token}",
                "wrong-token": f"Token {world.owner_token[:-1]}x",
                "anonymous": None,
            },
            real_values=real_values(world),
            forbidden=secrets_of(world),
            max_examples=args.examples,
            other_examples=args.other_examples,
        )
    finally:
        stack.stop()
        runner.teardown_databases(databases)
    print(f"tracker fuzz ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}):")
    print(f"  operations          {len(report.operations)}")
    print(f"  examples            {report.examples}  {dict(report.per_identity)}")
    print(f"  with real values    {report.substituted}")
    print(f"  5xx                 {len(report.server_errors)}")
    print(f"  schema violations   {len(report.schema_violations)}")
    print(f"  secrets leaked      {len(report.leaks)}")
    print(f"  statuses            {dict(sorted(report.statuses.items()))}")
    print(f"  seconds             {report.seconds:.1f}")
    if not report.clean:
        print("\nProblems (first 20):\n" + report.problems(20))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
