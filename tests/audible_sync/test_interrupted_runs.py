"""Migration audible_sync.0008: runs the sweep closed before ``error_code`` existed get the
``interrupted`` code (found this once by their sentence); other failures get none."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tracker_api.audible_sync.sync.lock import INTERRUPTED

BEFORE = [("audible_sync", "0007_listening_stats")]
AFTER = [("audible_sync", "0008_sync_log_error_code")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_interrupted_runs_get_the_code_and_other_failures_none():
    old = migrate(BEFORE)
    user = old.get_model("auth", "User").objects.create(username="migrated")
    Log = old.get_model("audible_sync", "AudibleSyncLog")

    def run(status: str, error: str = "") -> int:
        return Log.objects.create(user=user, trigger="cron", status=status, error=error).pk

    interrupted = run("failed", INTERRUPTED)
    failed = run("failed", "Audible kept answering 503.")
    ok = run("ok")

    Log = migrate(AFTER).get_model("audible_sync", "AudibleSyncLog")
    codes = dict(Log.objects.values_list("pk", "error_code"))
    assert codes == {interrupted: "interrupted", failed: None, ok: None}
