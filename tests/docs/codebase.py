"""What the code says, read from its source: environment variables, error codes, routes.

The docs tests compare these facts with what the documentation says, so both sides are
collected here without importing the modules that hold them (static analysis with ``ast``),
except where only the running framework knows the answer (URL maps, DRF's exceptions).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable
from collections.abc import Iterator
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$")
ENV_RE = re.compile(r"^[A-Z][A-Z0-9_]*[A-Z0-9]$")

# Calls whose first argument (or ``code=``/``error_code=``) is an error code people receive.
ERROR_CONSTRUCTORS = frozenset(
    {
        "GatewayError",
        "GatewayCallError",
        "ApiError",
        "error_body",
        "FetchFailed",
        "ServiceError",
        "HouseholdError",
    }
)
CODE_KEYWORDS = frozenset({"code", "error_code"})
# Typed readers of the environment whose first argument is a variable name.
ENV_GETTERS = frozenset({"env_str", "env_bool", "env_int", "env_list", "getenv"})


def python_files(*roots: str, exclude: Iterable[str] = ()) -> list[Path]:
    """Source files under ``roots`` (files or folders, relative to the repository)."""
    skipped = tuple(exclude)
    found: list[Path] = []
    for root in roots:
        path = REPO / root
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in candidates:
            relative = file.relative_to(REPO).as_posix()
            if "/migrations/" in relative or relative.startswith(skipped):
                continue
            found.append(file)
    return found


def _name(path: Path) -> str:
    """Repository-relative name of a file (absolute for files elsewhere, e.g. in tests)."""
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = func.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _first_argument(call: ast.Call, keywords: frozenset[str]) -> ast.expr | None:
    """``code=`` when given (``ServiceError(message, code=...)``), else the first argument."""
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    if call.args:
        return call.args[0]
    return None


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# --------------------------------------------------------------------------- environment
def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _env_key(node: ast.AST, getters: set[str]) -> ast.expr | None:
    """The key expression when ``node`` reads the process environment, else None.

    Recognised: ``os.environ.get(K)``, ``os.environ[K]``, ``os.getenv(K)``, ``env.get(K)``
    (the gateway reads a mapping called ``env``), and ``getter(K, ...)`` for every known typed
    reader (``env_str`` and friends, and helpers that pass their argument on to one).
    """
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args:
            receiver = func.value
            if _is_os_environ(receiver) or (
                isinstance(receiver, ast.Name) and receiver.id == "env"
            ):
                return node.args[0]
        if _callee(node) in getters and node.args:
            return node.args[0]
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        return node.slice
    return None


def _env_getters(files: list[Path]) -> set[str]:
    """Functions that read the variable named by one of their parameters (to a fixpoint)."""
    getters = set(ENV_GETTERS)
    changed = True
    while changed:
        changed = False
        for file in files:
            for func in _functions(_tree(file)):
                if func.name in getters:
                    continue
                params = set(_params(func))
                for node in ast.walk(func):
                    key = _env_key(node, getters)
                    if isinstance(key, ast.Name) and key.id in params:
                        getters.add(func.name)
                        changed = True
                        break
    return getters


SHELL_ENV_RE = re.compile(r"\$\{?\$?\{?([A-Z][A-Z0-9_]*)")
EMBEDDED_PY_ENV_RE = re.compile(r"os\.environ(?:\.get\(|\[)[\"']([A-Z][A-Z0-9_]*)[\"']")


def env_vars_read_by_python(files: list[Path]) -> dict[str, set[str]]:
    """Variable -> files that read it, for every literal variable name in ``files``."""
    getters = _env_getters(files)
    found: dict[str, set[str]] = {}
    for file in files:
        for node in ast.walk(_tree(file)):
            name = _string(_env_key(node, getters))
            if name and ENV_RE.match(name):
                found.setdefault(name, set()).add(_name(file))
    return found


def env_vars_read_by_other_files(files: list[Path]) -> dict[str, set[str]]:
    """``${NAME}`` in shell and compose files, ``os.environ`` in Python embedded in shell."""
    found: dict[str, set[str]] = {}
    for file in files:
        text = file.read_text(encoding="utf-8")
        names = set(SHELL_ENV_RE.findall(text)) | set(EMBEDDED_PY_ENV_RE.findall(text))
        for name in names:
            found.setdefault(name, set()).add(_name(file))
    return found


RUNTIME_PYTHON = ("audible_gateway", "tracker_api", "deploy", "gunicorn.conf.py", "manage.py")
# settings_test only sets defaults for the test run; it reads nothing a deployment sets.
RUNTIME_EXCLUDE = ("tracker_api/config/settings_test.py",)
RUNTIME_OTHER = (
    "deploy/entrypoint.sh",
    "docker-compose.yml",
    "deploy/crontab.example",
    "deploy/systemd/audible-sync.service",
)


@cache
def env_vars_read() -> dict[str, frozenset[str]]:
    """Every environment variable the running system reads, with the files that read it."""
    merged: dict[str, set[str]] = {}
    python = env_vars_read_by_python(python_files(*RUNTIME_PYTHON, exclude=RUNTIME_EXCLUDE))
    other = env_vars_read_by_other_files([REPO / name for name in RUNTIME_OTHER])
    for source in (python, other):
        for name, where in source.items():
            merged.setdefault(name, set()).update(where)
    return {name: frozenset(where) for name, where in merged.items()}


ENV_EXAMPLE_RE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def env_example_names(path: Path = REPO / ".env.example") -> set[str]:
    """Variables .env.example lists, set (``NAME=v``) or documented as a default (``# NAME=v``)."""
    return set(ENV_EXAMPLE_RE.findall(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- error codes
def _module_constants(files: list[Path]) -> dict[str, str]:
    """``NAME = "text"`` at module level, in every file (the codes are named this way)."""
    constants: dict[str, str] = {}
    for file in files:
        for node in _tree(file).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], _string(node.value)
                if isinstance(target, ast.Name) and value is not None:
                    constants[target.id] = value
    return constants


def _resolve(node: ast.expr | None, constants: dict[str, str]) -> list[str]:
    """Literal strings an expression may evaluate to (constants and ``x or "default"``)."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.Attribute) and node.attr.isupper() and node.attr in constants:
        return [constants[node.attr]]
    if isinstance(node, ast.BoolOp):
        return [text for value in node.values for text in _resolve(value, constants)]
    if isinstance(node, ast.Call) and _callee(node) == "get" and len(node.args) == 2:
        return _resolve(node.args[1], constants)  # ``CODES.get(status, "fallback_code")``
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return [head.value + "<status>"]
    return []


def _error_constructors(files: list[Path]) -> set[str]:
    """The constructors plus helpers that pass a parameter on as the code (to a fixpoint)."""
    constructors = set(ERROR_CONSTRUCTORS)
    changed = True
    while changed:
        changed = False
        for file in files:
            for func in _functions(_tree(file)):
                if func.name in constructors:
                    continue
                params = set(_params(func))
                if func.args.vararg is not None:  # ``def helper(*args): return ApiError(*args)``
                    params.add(func.args.vararg.arg)
                for node in ast.walk(func):
                    if isinstance(node, ast.Call) and _callee(node) in constructors:
                        first = _first_argument(node, CODE_KEYWORDS)
                        if isinstance(first, ast.Starred):
                            first = first.value
                        if isinstance(first, ast.Name) and first.id in params:
                            constructors.add(func.name)
                            changed = True
                            break
    return constructors


def _assigned_codes(node: ast.AST, constants: dict[str, str]) -> list[str]:
    """``code = "x"`` (class attribute or local), ``code, msg = "x", ...``, ``self.code = "x"``."""
    if not isinstance(node, ast.Assign):
        return []
    found: list[str] = []
    for target in node.targets:
        pairs: list[tuple[ast.expr, ast.expr]] = [(target, node.value)]
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            pairs = list(zip(target.elts, node.value.elts, strict=False))
        for name, value in pairs:
            named = (isinstance(name, ast.Name) and name.id == "code") or (
                isinstance(name, ast.Attribute) and name.attr == "code"
            )
            if named:
                found.extend(_resolve(value, constants))
    return found


def _codes_in_collections(tree: ast.Module, constants: dict[str, str]) -> list[str]:
    """Module-level ``*_CODES`` collections: their values (dicts) or elements (lists, sets)."""
    found: list[str] = []
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if not (isinstance(target, ast.Name) and target.id.endswith("CODES")):
            continue
        for inner in ast.walk(node.value):
            if isinstance(inner, ast.Dict):
                for value in inner.values:
                    found.extend(_resolve(value, constants))
            elif isinstance(inner, ast.List | ast.Set | ast.Tuple):
                for element in inner.elts:
                    found.extend(_resolve(element, constants))
    return found


def error_codes_in(files: list[Path]) -> dict[str, set[str]]:
    """Code -> files, for every stable error code the given source files can answer with."""
    constants = _module_constants(files)
    constructors = _error_constructors(files)
    found: dict[str, set[str]] = {}

    def add(codes: Iterable[str], file: Path) -> None:
        for code in codes:
            if CODE_RE.match(code.replace("<status>", "x")):
                found.setdefault(code, set()).add(_name(file))

    for file in files:
        tree = _tree(file)
        add(_codes_in_collections(tree, constants), file)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if _callee(node) in constructors:
                    add(_resolve(_first_argument(node, CODE_KEYWORDS), constants), file)
                for keyword in node.keywords:
                    if keyword.arg in CODE_KEYWORDS:
                        add(_resolve(keyword.value, constants), file)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=False):
                    if _string(key) == "code":
                        add(_resolve(value, constants), file)
            else:
                add(_assigned_codes(node, constants), file)
    return found


def drf_error_codes() -> set[str]:
    """Codes DRF's own exceptions carry; the tracker's handler passes them through as they are
    (its ``ValidationError`` is reported as ``validation_error``)."""
    from rest_framework import exceptions

    codes = {"validation_error"}
    for _, cls in inspect.getmembers(exceptions, inspect.isclass):
        if issubclass(cls, exceptions.APIException) and cls not in (
            exceptions.APIException,
            exceptions.ValidationError,
        ):
            codes.add(str(cls.default_code))
    return codes


def gateway_openapi_codes() -> set[str]:
    """Every code the gateway's OpenAPI document declares for an error answer."""
    from audible_gateway.openapi import openapi_document

    codes: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            code = node.get("properties", {}).get("code") if "properties" in node else None
            if isinstance(code, dict) and isinstance(code.get("enum"), list):
                codes.update(str(c) for c in code["enum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(openapi_document())
    return codes


@cache
def gateway_error_codes() -> frozenset[str]:
    files = python_files("audible_gateway", exclude=("audible_gateway/sandbox",))
    return frozenset(error_codes_in(files)) | frozenset(gateway_openapi_codes())


@cache
def tracker_error_codes() -> frozenset[str]:
    """The tracker's API codes, its gateway client's codes and the sync's failure codes."""
    files = python_files("tracker_api", exclude=("tracker_api/demo",))
    return frozenset(error_codes_in(files)) | frozenset(drf_error_codes())


# --------------------------------------------------------------------------- routes
PLACEHOLDER_RE = re.compile(r"<[^>]+>|\{[^}]+\}|\(\?P<[^>]+>[^)]*\)")


def normalise_path(path: str) -> str:
    """``/api/progress/<asin>``, ``/api/progress/{asin}`` and ``/api/progress/B0X`` compare
    equal only in their fixed parts: placeholders become ``{}``."""
    path = PLACEHOLDER_RE.sub("{}", path)
    return path.replace("^", "").replace("$", "").replace("\\", "")


def tracker_routes() -> list[str]:
    """Every path of the tracker's URL conf except the admin's own pages and static files."""
    from django.urls import URLPattern
    from django.urls import URLResolver
    from django.urls import get_resolver

    routes: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            text = str(entry.pattern)
            if isinstance(entry, URLResolver):
                if text.startswith("admin/"):
                    routes.append("/admin/")
                    continue
                walk(entry.url_patterns, prefix + text)
            elif isinstance(entry, URLPattern):
                routes.append("/" + normalise_path(prefix + text).lstrip("/"))

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes))


def _flask_routes(app: object) -> list[str]:
    rules = app.url_map.iter_rules()  # type: ignore[attr-defined]
    return sorted({normalise_path(r.rule) for r in rules if r.endpoint != "static"})


@cache
def gateway_app() -> object:
    from cryptography.fernet import Fernet

    from audible_gateway import create_app

    return create_app(
        {
            "API_SECRET": "docs-test-secret-" + "x" * 16,
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        }
    )


@cache
def sandbox_app() -> object:
    from audible_gateway.sandbox import create_app

    return create_app()


def gateway_routes() -> list[str]:
    return _flask_routes(gateway_app())


def sandbox_routes() -> list[str]:
    return _flask_routes(sandbox_app())
