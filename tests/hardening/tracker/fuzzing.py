"""Property-based fuzzing of the tracker from its own OpenAPI schema (schemathesis).

Every operation of ``GET /api/schema?format=json`` is driven in-process (the Django WSGI
application, the same one gunicorn serves), or over real HTTP when given the base URL of a
served tracker (``test_fuzz_http.py``: gunicorn, two workers, the embedded SQLite), with
generated requests, in schemathesis' positive
and negative modes, as a real person with data (token auth), with a wrong token and with none.
Path ids and body fields are swapped, some of the time, for real values (the person's books and
conflicts, another person's book, real ASINs), so the fuzzer also reaches the code behind a
found object instead of only 404s.

Each answer goes through schemathesis' checks (no 5xx; status, content type, headers and body
as documented) plus one of ours: no secret value appears in any answer body or header.
Failures are collected, not raised, so a run reports counts. Used by the CI test (few examples)
and by ``bench/tracker_fuzz.py`` (many).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from typing import Any

import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.hardening.fuzz_core import MODES
from tests.hardening.fuzz_core import FuzzReport
from tests.hardening.fuzz_core import fuzz_settings

SCHEMA_PATH = "/api/schema?format=json"
# Body keys and path parameters we may swap for real values.
PATH_KEYS = ("id",)


def _substitute(case: Any, choices: dict[str, Any]) -> bool:
    """Put the chosen real values into the generated case; True when any was used."""
    used = False
    if isinstance(case.body, dict):
        for key, value in choices.items():
            if key not in PATH_KEYS and value is not None and key in case.body:
                case.body[key] = value
                used = True
    if isinstance(case.path_parameters, dict):
        for key in PATH_KEYS:
            value = choices.get(key)
            if value is not None and key in case.path_parameters:
                case.path_parameters[key] = value
                used = True
    return used


def _choice(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """None (keep the generated value) or one of the real values."""
    return st.one_of(st.none(), st.sampled_from(list(values)))


def load_schema(app: Any) -> Any:
    """The schema of a WSGI application (in-process), or of a served tracker when ``app`` is
    its base URL (``http://127.0.0.1:PORT``): its cases then go over real HTTP."""
    if isinstance(app, str):
        return schemathesis.openapi.from_url(app.rstrip("/") + SCHEMA_PATH)
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, app)


def fuzz_tracker(
    app: Any,
    *,
    identities: dict[str, str | None],
    real_values: dict[str, Sequence[Any]],
    forbidden: Sequence[str],
    max_examples: int,
    other_examples: int | None = None,
    modes: Sequence[GenerationMode] = MODES,
    operations: Sequence[str] | None = None,
    call_kwargs: dict[str, Any] | None = None,
) -> FuzzReport:
    """Fuzz every operation of the tracker's schema and report what came back.

    ``identities`` maps a label to the ``Authorization`` header to send (None: none at all);
    the first one gets ``max_examples`` per operation and mode, the others
    ``other_examples``. ``real_values`` maps body keys and the ``id`` path parameter to real
    values swapped in some of the time. ``forbidden`` are strings no answer may contain.
    ``operations`` restricts the run to these labels (``"GET /api/books"``). ``app`` is the
    WSGI application, or a served tracker's base URL (see ``load_schema``); ``call_kwargs``
    go to every ``case.call`` (over HTTP: a ``session`` to keep connections, a ``timeout``).
    """
    started = time.monotonic()
    report = FuzzReport()
    schema = load_schema(app)
    swaps = st.fixed_dictionaries({key: _choice(values) for key, values in real_values.items()})
    for position, (label, authorization) in enumerate(identities.items()):
        examples = max_examples if position == 0 else (other_examples or max_examples)
        for result in schema.get_all_operations():
            operation = result.ok()
            if operations is not None and operation.label not in operations:
                continue
            for mode in modes:
                _fuzz_operation(
                    operation, mode, label, authorization, swaps, forbidden, examples, report,
                    call_kwargs or {},
                )  # fmt: skip
    report.seconds = time.monotonic() - started
    return report


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    label: str,
    authorization: str | None,
    swaps: Any,
    forbidden: Sequence[str],
    examples: int,
    report: FuzzReport,
    call_kwargs: dict[str, Any],
) -> None:
    @fuzz_settings(examples)
    @given(case=operation.as_strategy(generation_mode=mode), choices=swaps)
    def run(case: Any, choices: dict[str, Any]) -> None:
        if _substitute(case, choices):
            report.substituted += 1
        headers = {k: v for k, v in dict(case.headers or {}).items() if k.lower() != "cookie"}
        headers.pop("Authorization", None)
        if authorization is not None:
            headers["Authorization"] = authorization
        case.headers = headers
        case.cookies = {}
        response = case.call(**call_kwargs)
        report.judge(case, response, identity=label, mode=mode, forbidden=forbidden)

    with contextlib.suppress(Unsatisfiable):  # e.g. no negative request for a GET without input
        run()
