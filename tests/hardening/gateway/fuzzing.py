"""Property-based fuzzing of the gateway from its own OpenAPI document (schemathesis).

Every documented operation is driven with generated requests, in schemathesis' positive and
negative modes, once with the real secret and once with a wrong one. Generated bodies have
their ``auth``/``state``/``redirect_url`` fields swapped, some of the time, for real values
(a live sealed blob, a blob sealed with an older key, a live login state...), so the fuzzer
also reaches the code behind a successful unseal and real Audible (sandbox) calls.

Each answer goes through schemathesis' checks (no 5xx, status documented, content type and
body conform to the schema) plus one of ours: no configured secret appears in any answer.
Failures are collected, not raised, so a run reports counts. Used by the CI test (few
examples) and by ``bench/gateway_fuzz.py`` (many).
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

SECRET_HEADER = "X-API-Secret"


def _substitute(case: Any, choices: dict[str, Any]) -> bool:
    """Put the chosen real values into the generated case; True when any was used."""
    used = False
    if isinstance(case.body, dict):
        for key, value in choices.items():
            if key != "asin" and value is not None and key in case.body:
                case.body[key] = value
                used = True
    asin = choices.get("asin")
    if asin is not None and isinstance(case.path_parameters, dict) and case.path_parameters:
        case.path_parameters["asin"] = asin
        used = True
    return used


def _choice(values: Sequence[Any] | st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """None (keep the generated value) or a real one; a strategy is drawn from as it is."""
    if isinstance(values, st.SearchStrategy):
        return st.one_of(st.none(), values)
    return st.one_of(st.none(), st.sampled_from(list(values)))


def corrupted(real: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A real dict with one key replaced by arbitrary JSON (or dropped)."""
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=6,
    )
    dropped = object()
    return st.builds(
        lambda key, value: {k: v for k, v in {**real, key: value}.items() if v is not dropped},
        st.sampled_from(sorted(real)),
        st.one_of(json_values, st.just(dropped)),
    )


def fuzz_gateway(
    app: Any,
    *,
    secrets: dict[str, str | None],
    real_values: dict[str, Sequence[Any] | st.SearchStrategy[Any]],
    forbidden: Sequence[str],
    max_examples: int,
    wrong_secret_examples: int | None = None,
    modes: Sequence[GenerationMode] = MODES,
) -> FuzzReport:
    """Fuzz every operation of ``app``'s ``/openapi.json`` and report what came back.

    ``secrets`` names the header values to send (None: no header); the first one is the real
    secret and gets ``max_examples`` per operation and mode, the others get
    ``wrong_secret_examples``. ``real_values`` maps body keys (and ``asin``) to real values
    swapped in some of the time. ``forbidden`` are strings no answer may contain.
    """
    started = time.monotonic()
    report = FuzzReport()
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    swaps = st.fixed_dictionaries({key: _choice(values) for key, values in real_values.items()})
    for position, (label, secret) in enumerate(secrets.items()):
        examples = max_examples if position == 0 else (wrong_secret_examples or max_examples)
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in modes:
                _fuzz_operation(operation, mode, label, secret, swaps, forbidden, examples, report)
    report.seconds = time.monotonic() - started
    return report


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    label: str,
    secret: str | None,
    swaps: Any,
    forbidden: Sequence[str],
    examples: int,
    report: FuzzReport,
) -> None:
    @fuzz_settings(examples)
    @given(case=operation.as_strategy(generation_mode=mode), choices=swaps)
    def run(case: Any, choices: dict[str, Any]) -> None:
        if _substitute(case, choices):
            report.substituted += 1
        headers = dict(case.headers or {})
        headers.pop(SECRET_HEADER, None)
        if secret is not None:
            headers[SECRET_HEADER] = secret
        case.headers = headers
        response = case.call()
        report.judge(case, response, identity=label, mode=mode, forbidden=forbidden)

    with contextlib.suppress(Unsatisfiable):  # e.g. no negative request for GET /health
        run()
