"""Checks of one documented command against the repository: does it name real things?

``problems(command)`` answers a list of sentences (empty when the command is sound). Each
program has its own check: make targets exist, ``manage.py`` commands exist and their
options parse, modules and files exist, pytest targets exist, curl hits a real route with a
method it accepts, docker compose names real services and profiles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib.util import find_spec
from urllib.parse import urlsplit

import yaml

from tests.docs.codebase import REPO
from tests.docs.codebase import gateway_app
from tests.docs.codebase import sandbox_app
from tests.docs.markdown import ACCEPTED
from tests.docs.markdown import KNOWN_PROGRAMS
from tests.docs.markdown import REMOTE_ONLY
from tests.docs.markdown import Command
from tests.docs.markdown import parse_line
from tests.docs.markdown import program_name

PLACEHOLDER_WORDS = frozenset({"...", "…", "|"})


@cache
def make_targets() -> frozenset[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return frozenset(re.findall(r"^([A-Za-z0-9_.-]+):(?!=)", text, re.MULTILINE))


@cache
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def unbracket(args: tuple[str, ...]) -> list[str]:
    """Doc notation for optional parts, ``[--limit 100]``, becomes ``--limit 100``."""
    out = []
    for word in args:
        if word in PLACEHOLDER_WORDS:
            continue
        word = word.lstrip("[").rstrip("]")
        if word:
            out.append(word)
    return out


def repo_path_problem(word: str, remote: bool) -> str | None:
    """A word that names a path in this repository must exist."""
    if remote and word.startswith("/"):
        return None
    target = REPO / word
    if any(ch in word for ch in "*?"):
        return None if list(REPO.glob(word)) else f"nothing matches {word}"
    return None if target.exists() else f"{word} does not exist in the repository"


# --------------------------------------------------------------------------- per program
def check_make(command: Command) -> list[str]:
    targets = [w for w in command.argv[1:] if not w.startswith("-") and "=" not in w]
    if not targets:
        return ["`make` without a target: name the target"]
    return [f"make target {t!r} is not in the Makefile" for t in targets if t not in make_targets()]


def check_manage(args: list[str]) -> list[str]:
    """``manage.py NAME ARGS``: NAME is a command and ARGS parse with its own parser."""
    from django.core.management import get_commands
    from django.core.management import load_command_class

    if not args:
        return ["manage.py without a command"]
    name, rest = args[0], unbracket(tuple(args[1:]))
    app = get_commands().get(name)
    if app is None:
        return [f"manage.py {name}: no such management command"]
    if "--help" in rest or "-h" in rest:
        return []
    parser = load_command_class(app, name).create_parser("manage.py", name)
    parser.allow_abbrev = False  # the docs spell every option in full
    try:
        parser.parse_args(rest)
    except BaseException as exc:  # CommandError, or SystemExit from argparse
        return [f"manage.py {name} {' '.join(rest)}: the options do not parse ({exc})"]
    return []


def check_python(command: Command) -> list[str]:
    args = list(command.argv[1:])
    while args and args[0] in ("-u", "-X", "-B", "-O"):
        args.pop(0)
    if not args:
        return []
    if args[0] == "-m":
        if len(args) < 2:
            return ["python -m without a module"]
        module = args[1]
        if module == "pytest":
            return check_pytest(
                Command(command.where, ("pytest", *args[2:]), remote=command.remote)
            )
        return [] if find_spec(module) is not None else [f"python -m {module}: no such module"]
    if args[0] == "-c":
        try:
            compile(args[1], "<doc>", "exec")
        except (SyntaxError, IndexError) as exc:
            return [f"python -c: the code does not compile ({exc})"]
        return []
    if program_name(args[0]) == "manage.py":
        problem = repo_path_problem("manage.py", command.remote)
        return [problem] if problem else check_manage(args[1:])
    if args[0].endswith(".py"):
        problem = repo_path_problem(args[0], command.remote)
        return [problem] if problem else []
    return [f"python {args[0]}: not a module, script or manage.py call"]


def check_pytest(command: Command) -> list[str]:
    found = []
    skip_value = False
    for word in command.argv[1:]:
        if skip_value:
            skip_value = False
            continue
        if word in ("-k", "-m", "-p", "-n", "--maxfail", "--durations"):
            skip_value = True
            continue
        if word.startswith("-"):
            continue
        path, _, test = word.partition("::")
        problem = repo_path_problem(path, command.remote)
        if problem:
            found.append(problem)
        elif test:
            name = test.split("::")[-1].split("[")[0]
            if f"def {name}(" not in (REPO / path).read_text(encoding="utf-8"):
                found.append(f"{path} has no test {name}")
    return found


def check_gunicorn(command: Command) -> list[str]:
    args = list(command.argv[1:])
    found = []
    apps = []
    index = 0
    while index < len(args):
        word = args[index]
        if word in ("-c", "--config"):
            problem = repo_path_problem(args[index + 1], command.remote)
            if problem:
                found.append(problem)
            index += 2
            continue
        if word in ("-b", "--bind", "-w", "--workers", "--timeout", "-k", "--threads"):
            index += 2
            continue
        if not word.startswith("-"):
            apps.append(word)
        index += 1
    if len(apps) != 1:
        return [*found, f"gunicorn needs one application, got {apps}"]
    module = apps[0].split(":")[0]
    if find_spec(module) is None:
        found.append(f"gunicorn application module {module} does not exist")
    return found


def _curl_request(argv: tuple[str, ...]) -> tuple[str, str | None]:
    method, url, data = "", None, False
    args = list(argv[1:])
    index = 0
    while index < len(args):
        word = args[index]
        if word in ("-X", "--request"):
            method = args[index + 1].upper()
            index += 2
            continue
        if word in ("-d", "--data", "--data-raw", "--data-binary", "--json", "-F", "--form"):
            data = True
            index += 2
            continue
        if word in ("-H", "--header", "-o", "--output", "-u", "--user", "-w", "-m"):
            index += 2
            continue
        if not word.startswith("-") and url is None:
            url = word
        index += 1
    return method or ("POST" if data else "GET"), url


def _tracker_methods(path: str) -> set[str] | None:
    from django.urls import Resolver404
    from django.urls import resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    view = match.func
    actions = getattr(view, "actions", None)
    if actions:
        return {m.upper() for m in actions}
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is None:
        return {"GET"}
    return {m.upper() for m in cls.http_method_names if hasattr(cls, m)}


def _flask_methods(app: object, path: str) -> set[str] | None:
    from werkzeug.exceptions import MethodNotAllowed
    from werkzeug.exceptions import NotFound

    adapter = app.url_map.bind("localhost")  # type: ignore[attr-defined]
    try:
        adapter.match(path, method="__probe__")
    except MethodNotAllowed as exc:
        return set(exc.valid_methods or [])
    except NotFound:
        return None
    return None


def route_methods(path: str) -> dict[str, set[str]]:
    """Which process answers ``path`` and with which methods (tracker, gateway, sandbox)."""
    found: dict[str, set[str]] = {}
    tracker = _tracker_methods(path)
    if tracker is not None:
        found["tracker"] = tracker
    for name, app in (("gateway", gateway_app()), ("sandbox", sandbox_app())):
        methods = _flask_methods(app, path)
        if methods is not None:
            found[name] = methods
    return found


def check_curl(command: Command) -> list[str]:
    method, url = _curl_request(command.argv)
    if url is None:
        return ["curl without a URL"]
    if not re.match(r"^(https?://)?(\$\{?\w+\}?|localhost|127\.0\.0\.1|[\w.-]*example\.com)", url):
        return []  # someone else's server (Amazon's login page): nothing of ours to check
    if "://" not in url:
        url = "http://" + url
    path = urlsplit(url.replace("$", "")).path or "/"
    routes = route_methods(path)
    if not routes:
        return [f"curl {path}: no process of this project has that path"]
    if not any(method in methods for methods in routes.values()):
        return [f"curl -X {method} {path}: the route accepts only {routes}"]
    return []


# Options that take a value: before the subcommand (compose's own), and after it.
COMPOSE_GLOBAL_VALUE_FLAGS = frozenset(
    {"-f", "--file", "--profile", "-p", "--project-name", "--env-file"}
)
COMPOSE_VALUE_FLAGS = frozenset(
    {"-e", "--env", "-u", "--user", "-w", "--workdir", "--entrypoint", "--name", "--tail",
     "--scale"}
)  # fmt: skip
COMPOSE_SERVICE_COMMANDS = frozenset(
    {"up", "down", "logs", "restart", "stop", "start", "build", "pull", "ps", "run", "exec"}
)


def check_docker(command: Command) -> list[str]:
    args = list(command.argv[1:])
    if command.program == "docker-compose":
        args = ["compose", *args]
    if not args:
        return ["docker without a command"]
    if args[0] == "build":
        found = []
        if "-f" in args:
            problem = repo_path_problem(args[args.index("-f") + 1], command.remote)
            found += [problem] if problem else []
        return found
    if args[0] != "compose":
        return []
    services = set(compose()["services"])
    profiles = {p for s in compose()["services"].values() for p in s.get("profiles", [])}
    found: list[str] = []
    words = args[1:]
    index, sub, named = 0, None, []
    while index < len(words):
        word = words[index]
        if word in (COMPOSE_VALUE_FLAGS if sub else COMPOSE_GLOBAL_VALUE_FLAGS):
            if word == "--profile" and words[index + 1] not in profiles:
                found.append(f"docker compose has no profile {words[index + 1]!r}")
            index += 2
            continue
        if word.startswith("-"):
            index += 1
            continue
        if sub is None:
            sub = word
        else:
            named.append(word)
            if sub in ("run", "exec"):
                inner = Command(command.where, tuple(words[index + 1 :]), remote=command.remote)
                found += problems(inner) if inner.argv else []
                break
        index += 1
    if sub in COMPOSE_SERVICE_COMMANDS:
        found += [f"docker compose has no service {s!r}" for s in named if s not in services]
    return found


RAILWAY_COMMANDS = frozenset(
    {"login", "logout", "whoami", "init", "link", "unlink", "list", "status", "open", "up",
     "deploy", "redeploy", "restart", "down", "add", "service", "variables", "variable",
     "logs", "run", "shell", "ssh", "connect", "domain", "environment"}
)  # fmt: skip


def check_railway(command: Command) -> list[str]:
    args = list(command.argv[1:])
    if not args or args[0] not in RAILWAY_COMMANDS:
        return [f"railway {' '.join(args)}: not a Railway CLI command this project uses"]
    found = []
    for flag in ("--service", "-s"):
        if flag in args:
            name = args[args.index(flag) + 1]
            if not (REPO / "deploy" / "railway" / f"{name}.json").exists():
                found.append(f"railway service {name!r} has no deploy/railway/{name}.json")
    return found


CHECKS: dict[str, Callable[[Command], list[str]]] = {
    "make": check_make,
    "python": check_python,
    "manage.py": lambda c: [*(p for p in [repo_path_problem("manage.py", False)] if p),
                            *check_manage(list(c.argv[1:]))],
    "pytest": check_pytest,
    "gunicorn": check_gunicorn,
    "curl": check_curl,
    "docker": check_docker,
    "docker-compose": check_docker,
    "railway": check_railway,
}  # fmt: skip


def problems(command: Command) -> list[str]:
    """What is wrong with one documented command (nothing: an empty list)."""
    program = command.program
    if program not in KNOWN_PROGRAMS:
        return [f"{program!r} is not a program these tests know; add a check for it"]
    if program in REMOTE_ONLY and not command.remote:
        return [f"{program} runs on another machine: tag the block ```sh remote```"]
    check = CHECKS.get(program)
    if check is None:
        assert program in ACCEPTED or program in REMOTE_ONLY
        return []
    return check(command)


def check_text(text: str, remote: bool = False) -> list[str]:
    """Problems of a command line given as text (used by the self-tests)."""
    found = []
    for env, argv in parse_line(text):
        found += problems(Command("<text>", argv, env, remote, text))
    return found
