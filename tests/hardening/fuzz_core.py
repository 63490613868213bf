"""What both fuzz harnesses share: the checks, the report, and judging one answer.

Each process's harness (``gateway/fuzzing.py``, ``tracker/fuzzing.py``) generates its own cases
(identities, real values to swap in); every answer is judged here the same way.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hypothesis import HealthCheck
from hypothesis import Verbosity
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

SCHEMA_CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings for one operation: bounded, quiet, no example database.

    The suite's runs are derandomized (the same cases every run), so CI never goes red on a
    case a previous run did not try; ``make fuzz`` (``FUZZ_RANDOM=1``) explores new ones.
    """
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=os.environ.get("FUZZ_RANDOM") != "1",
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )


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

    def judge(
        self, case: Any, response: Any, *, identity: str, mode: Any, forbidden: Iterable[str]
    ) -> None:
        """Count one answer and record any 5xx, schema break or secret it shows."""
        self.examples += 1
        self.per_identity[identity] += 1
        self.operations.add(case.operation.label)
        self.statuses[response.status_code] += 1
        tag = f"[{identity}/{mode.value}] "
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is a BaseExceptionGroup
            self.server_errors.append(tag + describe(case, response, str(exc)))
        try:
            case.validate_response(response, checks=SCHEMA_CHECKS)
        except (Exception, BaseExceptionGroup) as exc:
            self.schema_violations.append(tag + describe(case, response, str(exc)))
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for value in forbidden:
            if value and value in seen:
                self.leaks.append(tag + describe(case, response, "a secret value leaked"))


def describe(case: Any, response: Any, problem: str) -> str:
    body = None if case.body is NOT_SET else case.body
    return (
        f"{case.operation.label} path={case.path_parameters} body={str(body)[:300]!r} -> "
        f"{response.status_code} {response.text[:300]!r}: {problem[:500]}"
    )
