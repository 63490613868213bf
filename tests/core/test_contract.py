"""Both processes agree through ``audible_contract``: the codes it names are the gateway's own,
the tracker branches only on those, and the package itself needs nothing but the standard
library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from audible_contract import wire
from audible_gateway.openapi import openapi_document
from tracker_api.audible_sync import gateway as tracker_gateway

CONTRACT = Path(__file__).resolve().parents[2] / "audible_contract"


def _enum_codes(node: object) -> set[str]:
    """Every string listed in an ``enum`` next to a ``code`` property of the document."""
    found: set[str] = set()
    if isinstance(node, dict):
        code = node.get("properties", {}).get("code") if "properties" in node else None
        if isinstance(code, dict):
            found |= set(code.get("enum", []))
        for child in node.values():
            found |= _enum_codes(child)
    elif isinstance(node, list):
        for child in node:
            found |= _enum_codes(child)
    return found


def test_every_contract_code_is_one_the_gateway_documents():
    documented = _enum_codes(openapi_document())
    assert documented >= wire.GATEWAY_CODES, sorted(wire.GATEWAY_CODES - documented)


def test_the_gateway_and_the_tracker_use_the_same_secret_header():
    from audible_gateway import routes

    assert routes.SECRET_HEADER == tracker_gateway.SECRET_HEADER == wire.SECRET_HEADER
    schemes = openapi_document()["components"]["securitySchemes"]
    assert [s["name"] for s in schemes.values()] == [wire.SECRET_HEADER]


def test_the_tracker_treats_as_permanent_only_gateway_or_its_own_codes():
    own = {tracker_gateway.NOT_CONFIGURED}
    assert tracker_gateway.PERMANENT_CODES - own <= wire.GATEWAY_CODES


def test_the_contract_imports_only_the_standard_library():
    stdlib = set(sys.stdlib_module_names) | {"__future__", "audible_contract"}
    for path in CONTRACT.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in stdlib, f"{path.name} imports {name}"


def test_the_nesting_rule_is_the_same_object_on_both_sides():
    from audible_gateway import request_body
    from tracker_api.core import parsers

    assert request_body.nesting_depth is parsers.nesting_depth
    assert request_body.MAX_DEPTH == parsers.MAX_DEPTH
