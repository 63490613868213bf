"""Shared pieces of the gateway hardening suite: a gateway wired to a sandbox, and the
OpenAPI document turned into validators for real answers."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx
import jsonschema
from cryptography.fernet import Fernet

from audible_gateway import create_app
from audible_gateway.openapi import openapi_document
from tests.gateway.conftest import SECRET
from tests.gateway.conftest import gateway_config

HEADERS = {"X-API-Secret": SECRET}


class Stack:
    """A gateway (Flask test client) pointed at a running sandbox, with a connected blob."""

    def __init__(
        self, sandbox: Any, keys: str | None = None, *, connect: bool = True, **config: str
    ) -> None:
        self.sandbox = sandbox
        self.keys = keys or Fernet.generate_key().decode()
        self.app = create_app(
            gateway_config(AUDIBLE_SANDBOX_URL=sandbox.url, ENCRYPTION_KEY=self.keys, **config)
        )
        self.client = self.app.test_client()
        self.blob = self.connect() if connect else ""

    @property
    def sealer(self) -> Any:
        return self.app.extensions["audible_gateway"].sealer

    def start_login(self, locale: str = "us") -> dict[str, Any]:
        answer = self.post("/api/auth", {"method": "external", "locale": locale})
        assert answer.status_code == 200, answer.json
        return answer.json

    def connect(self, locale: str = "us") -> str:
        """The external login as a person does it: open the URL, paste where it lands."""
        start = self.start_login(locale)
        landing = httpx.get(start["login_url"], follow_redirects=False).headers["location"]
        done = self.post(
            "/api/auth", {"method": "external", "state": start["state"], "redirect_url": landing}
        )
        assert done.status_code == 200, done.json
        return done.json["auth"]

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(path, json=body, headers=HEADERS if headers is None else headers)

    def library(self, blob: str | None = None, **extra: Any) -> Any:
        return self.post("/api/library", {"auth": blob or self.blob, **extra})

    def open_blob(self, blob: str) -> dict[str, Any]:
        return self.sealer.open(blob, "audible_auth").data  # type: ignore[no-any-return]


# ------------------------------------------------------------------------- OpenAPI checks
@cache
def _document() -> dict[str, Any]:
    return openapi_document()


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The documented operation answering ``method path`` (``{asin}`` templates match)."""
    doc = _document()
    for template, operations in doc["paths"].items():
        parts, actual = template.strip("/").split("/"), path.split("?")[0].strip("/").split("/")
        if len(parts) == len(actual) and all(
            p == a or (p.startswith("{") and p.endswith("}"))
            for p, a in zip(parts, actual, strict=True)
        ):
            operation = operations.get(method.lower())
            if operation is not None:
                return template, operation
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def assert_documented(method: str, path: str, status: int, body: Any, headers: Any = None) -> None:
    """Fail unless the answer's status is documented for the route and the body fits it."""
    template, operation = operation_for(method, path)
    responses = operation["responses"]
    assert str(status) in responses, f"{method} {template} answered undocumented {status}"
    media = responses[str(status)]["content"]["application/json"]
    root = {**media["schema"], "components": _document()["components"]}
    validator = jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not problems, f"{method} {template} {status}: " + "; ".join(
        f"{list(p.path)}: {p.message[:200]}" for p in problems[:5]
    )
    for name, spec in responses[str(status)].get("headers", {}).items():
        if headers is not None and "const" in spec["schema"]:
            assert headers.get(name) == spec["schema"]["const"], f"{name} on {template}"
