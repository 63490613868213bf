"""The SQL examples in the docs run against the migrated schema (SQLite or PostgreSQL,
whichever the suite runs on), so a renamed column or view breaks this test, not a reader."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.docs.markdown import doc_files
from tests.docs.markdown import fences

EXAMPLES = [fence for path in doc_files() for fence in fences(path) if fence.lang == "sql"]


def statements(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def test_the_operations_guide_has_sql_examples():
    assert any("operations.md" in fence.where for fence in EXAMPLES)


@pytest.mark.django_db
@pytest.mark.parametrize("fence", EXAMPLES, ids=[fence.where for fence in EXAMPLES])
def test_sql_example_runs(fence):
    for statement in statements(fence.text):
        assert statement.upper().startswith("SELECT"), "examples only read"
        with connection.cursor() as cursor:
            cursor.execute(statement)
            cursor.fetchall()
