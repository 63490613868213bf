"""Real processes on PostgreSQL: two ``--all`` workers sharing users, a sync command killed
with SIGKILL in the middle of writing, and key rotation of the gateway under a connected user.

The bench scripts run the same checks at full size (``bench/load.py``, ``bench/crash.py``).
"""

from __future__ import annotations

import os
import time

import pytest
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken

from audible_gateway.sandbox.library_gen import generate_library
from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog

from .consistency import assert_consistent
from .consistency import wait_for_write_lock
from .live import Live
from .live import django_db_url
from .live import write_library

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="real processes share the database: needs PostgreSQL (DATABASE_URL=postgres://...)",
)


@pytest.fixture(scope="module")
def live(django_db_setup, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hardening-live")
    system = Live(
        db_url=django_db_url(),
        log_dir=tmp,
        library_path=write_library(tmp / "library.json", generate_library(200, seed=3)),
    )
    try:
        yield system.start()
    finally:
        system.stop()


@pytest.fixture(scope="module")
def blob(live) -> str:
    return live.connect()


def test_two_all_workers_sync_twenty_users_of_two_hundred_titles_exactly_once(
    live, blob, transactional_db
):
    live.set_library(generate_library(200, seed=3))
    users = [UserFactory(username=f"load{n:02d}") for n in range(20)]
    for user in users:
        ConfigFactory(user=user, sealed_auth=blob)
    # Locks go stale only as in production here: the harness's 3 s (for the crash test) would
    # let a worker take over a sync that is merely slow on a busy machine.
    patient = {"AUDIBLE_SYNC_LOCK_STALE_S": "300"}
    workers = [live.manage("audible_sync", "--all", env=patient) for _ in range(2)]
    outputs = [w.communicate(timeout=170)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    handled = [int(out.strip().splitlines()[-1].split()[0]) for out in outputs]
    assert sum(handled) == 20, outputs
    assert all(n > 0 for n in handled), f"one worker did everything: {handled}"
    logs = AudibleSyncLog.objects.filter(user__in=users).exclude(status="skipped")
    assert sorted(logs.values_list("user_id", flat=True)) == sorted(u.pk for u in users)
    assert set(logs.values_list("status", flat=True)) == {"ok"}
    shapes = {assert_consistent(user) for user in users}
    assert len(shapes) == 1, shapes  # every person got the same, complete library
    ((_books, mappings),) = shapes
    assert mappings >= 150
    assert AudibleConfig.objects.filter(user__in=users).exclude(sync_lock_token="").count() == 0


def test_a_sync_command_killed_while_writing_leaves_nothing_half_done(live, blob, transactional_db):
    live.set_library(generate_library(2000, seed=5))
    user = UserFactory(username="crashed")
    ConfigFactory(user=user, sealed_auth=blob)
    command = live.manage("audible_sync", "--user", "crashed", "--force")
    assert wait_for_write_lock(live.db_url, timeout=90), "the sync never started writing"
    command.kill()  # SIGKILL, in the middle of the apply transaction
    command.wait(timeout=10)
    assert command.returncode == -9
    running = AudibleSyncLog.objects.get(user=user)
    assert running.status == "running"
    assert user.books.count() == 0  # nothing of the apply survived
    assert user.audible_mappings.count() == 0
    assert AudibleConfig.objects.get(user=user).sync_lock_token != ""
    time.sleep(live.stale_s + 0.5)
    again = live.manage("audible_sync", "--user", "crashed", "--force")
    output = again.communicate(timeout=170)[0]
    assert again.returncode == 0, output
    running.refresh_from_db()
    assert running.status == "failed"
    assert "interrupted" in running.error
    books, mappings = assert_consistent(user)
    assert mappings >= 1500
    assert AudibleConfig.objects.get(user=user).sync_lock_token == ""
    # A third sync changes nothing: the second one was complete.
    third = live.manage("audible_sync", "--user", "crashed", "--force")
    third.communicate(timeout=120)
    assert third.returncode == 0
    assert assert_consistent(user) == (books, mappings)


def test_key_rotation_keeps_a_connected_person_syncing_and_reseals_the_blob(live, transactional_db):
    live.set_library(generate_library(200, seed=3))
    key_a = live.key
    key_b = Fernet.generate_key().decode()
    user = UserFactory(username="rotated")
    sealed_a = live.connect()
    ConfigFactory(user=user, sealed_auth=sealed_a)
    Fernet(key_a.encode()).decrypt(sealed_a.encode())

    def sync() -> str:
        process = live.manage("audible_sync", "--user", "rotated", "--force")
        output = process.communicate(timeout=120)[0]
        assert process.returncode == 0, output
        return AudibleConfig.objects.get(user=user).sealed_auth

    assert sync() == sealed_a  # nothing to re-seal under key A
    try:
        live.restart_gateway(f"{key_b},{key_a}")
        resealed = sync()
        assert resealed != sealed_a
        Fernet(key_b.encode()).decrypt(resealed.encode())  # opens with B alone
        with pytest.raises(InvalidToken):
            Fernet(key_a.encode()).decrypt(resealed.encode())
        live.restart_gateway(key_b)  # A retired: the person still syncs
        assert sync() == resealed
        assert AudibleSyncLog.objects.filter(user=user, status="ok").count() == 3
    finally:
        live.restart_gateway(key_a)


# The peak RSS of the command's own process: VmHWM, not getrusage's ru_maxrss, which Linux
# carries over from the parent across fork+exec (a big pytest process would be counted).
MEMORY_WRAPPER = (
    "import sys; from django.core.management import execute_from_command_line; "
    "execute_from_command_line(sys.argv); "
    "print('PEAK_RSS_KB', next(int(l.split()[1]) for l in open('/proc/self/status') "
    "if l.startswith('VmHWM')))"
)


def test_fifty_thousand_rows_through_the_command_in_bounded_memory(
    live, transactional_db, tmp_path
):
    import subprocess
    import sys

    from tracker_api.demo.processes import REPO_ROOT

    from .csvs import goodreads_csv

    UserFactory(username="importer")
    path = tmp_path / "fifty-thousand.csv"
    path.write_text(goodreads_csv(50_000, broken_every=10_000))
    size_mb = path.stat().st_size / 1e6
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_WRAPPER, "import_books", "--user", "importer",
         str(path)],
        cwd=REPO_ROOT,
        env={**os.environ, **live.tracker_env()},
        capture_output=True,
        text=True,
        timeout=170,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert "49995 created, 0 updated, 0 unchanged, 5 skipped" in lines[-2], lines[-3:]
    assert [line.split(":")[0] for line in lines if "skipped:" in line] == [
        f"line {n}" for n in (10_001, 20_001, 30_001, 40_001, 50_001)
    ]
    peak_mb = int(lines[-1].split()[1]) / 1024
    # Rows are streamed and written in batches of 1,000: the peak is Django plus a batch,
    # not the file (about 6 MB here) held several times over.
    assert peak_mb < 160, f"peak RSS {peak_mb:.0f} MB for a {size_mb:.1f} MB file"
    from tracker_api.books.models import Book

    assert Book.objects.filter(user__username="importer").count() == 49_995
