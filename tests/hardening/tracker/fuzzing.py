"""Property-based fuzzing of the tracker from its own OpenAPI schema (schemathesis).

Every operation of ``GET /api/schema?format=json`` is driven in-process (the Django WSGI
application, the same one gunicorn serves) with generated requests, in schemathesis' positive
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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import schemathesis
from hypothesis import HealthCheck
from hypothesis import Verbosity
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

SCHEMA_PATH = "/api/schema?format=json"
SCHEMA_CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# Body keys and path parameters we may swap for real values.
PATH_KEYS = ("id",)


@dataclass
class FuzzReport:
    """What a fuzz run saw; ``clean`` when nothing broke."""

    operations: set[str] = field(default_factory=set)
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    per_identity: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    schema_violations: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    substituted: int = 0
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not (self.server_errors or self.schema_violations or self.leaks)

    def summary(self) -> str:
        return (
            f"operations={len(self.operations)} examples={self.examples} "
            f"with_real_values={self.substituted} 5xx={len(self.server_errors)} "
            f"schema_violations={len(self.schema_violations)} leaks={len(self.leaks)} "
            f"identities={dict(self.per_identity)} "
            f"statuses={dict(sorted(self.statuses.items()))} seconds={self.seconds:.1f}"
        )

    def problems(self, limit: int = 10) -> str:
        return "\n".join((self.server_errors + self.schema_violations + self.leaks)[:limit])


def _describe(case: Any, response: Any, problem: str) -> str:
    body = None if case.body is NOT_SET else case.body
    return (
        f"{case.operation.label} path={case.path_parameters} query={case.query} "
        f"body={str(body)[:300]!r} -> {response.status_code} {response.text[:300]!r}: "
        f"{problem[:600]}"
    )


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
) -> FuzzReport:
    """Fuzz every operation of the tracker's schema and report what came back.

    ``identities`` maps a label to the ``Authorization`` header to send (None: none at all);
    the first one gets ``max_examples`` per operation and mode, the others
    ``other_examples``. ``real_values`` maps body keys and the ``id`` path parameter to real
    values swapped in some of the time. ``forbidden`` are strings no answer may contain.
    ``operations`` restricts the run to these labels (``"GET /api/books"``).
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
                    operation, mode, label, authorization, swaps, forbidden, examples, report
                )
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
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
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
        response = case.call()
        report.examples += 1
        report.per_identity[label] += 1
        report.operations.add(operation.label)
        report.statuses[response.status_code] += 1
        tag = f"[{label}/{mode.value}] "
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is a BaseExceptionGroup
            report.server_errors.append(tag + _describe(case, response, str(exc)))
        try:
            case.validate_response(response, checks=SCHEMA_CHECKS)
        except (Exception, BaseExceptionGroup) as exc:
            report.schema_violations.append(tag + _describe(case, response, str(exc)))
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for value in forbidden:
            if value and value in seen:
                report.leaks.append(tag + _describe(case, response, "a secret value leaked"))

    with contextlib.suppress(Unsatisfiable):  # e.g. no negative request for a GET without input
        run()
