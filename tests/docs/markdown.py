"""What the docs say: fenced blocks, inline code, links and the shell commands in them.

Conventions the docs follow so that these tests can read them:

* Commands are in fenced blocks tagged ``sh`` (or ``bash``/``shell``/``console``). Untagged
  blocks may mix commands and output; there, only lines that start with a known program are
  taken as commands.
* A block of commands that run on another machine (a server, a container, Railway) is
  tagged ``sh remote``. Programs that exist only there (``docker``, ``railway``,
  ``systemctl``...) are accepted only in such blocks; absolute paths in them are not looked
  for here, but everything that names this repository (make targets, ``manage.py``
  commands and their options, files, compose services and profiles) is still checked.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from pathlib import Path

from tests.docs.codebase import REPO

SHELL_LANGS = frozenset({"sh", "bash", "shell", "console"})
FENCE_RE = re.compile(r"^(\s*)(```+|~~~+)\s*([^\n`]*)$")
OPERATORS = frozenset({"&&", "||", ";", "|", "&"})
REDIRECTS = frozenset({">", ">>", "<", "2>", "2>>", "&>"})

# Programs the tests know how to check, wherever they appear.
CHECKED = frozenset({"make", "python", "manage.py", "pytest", "gunicorn", "curl"})
# Programs whose use needs no check beyond being a command (they name nothing of ours).
ACCEPTED = frozenset(
    {
        "cd", "export", "set", "source", ".", "echo", "printf", "cat", "awk", "grep", "sed",
        "cp", "mv", "mkdir", "chmod", "ls", "sleep", "kill", "jq", "head", "tail", "tee",
        "ruff", "mypy", "git", "openssl", "test", "true", "psql", "pg_dump", "pg_restore",
        "createdb", "dropdb", "gzip", "gunzip", "date", "read", "xargs", "wc", "sort",
        "chromium", "tr", "base64", "audible", "pip",
    }
)  # fmt: skip
# Programs that exist only on another machine: only in ``sh remote`` blocks.
REMOTE_ONLY = frozenset(
    {"docker", "docker-compose", "railway", "systemctl", "journalctl", "crontab", "ssh",
     "useradd", "sudo", "install"}
)  # fmt: skip
KNOWN_PROGRAMS = CHECKED | ACCEPTED | REMOTE_ONLY


def doc_files() -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@dataclass(frozen=True)
class Fence:
    path: Path
    line: int  # of the first line inside the fence
    lang: str
    tags: frozenset[str]
    text: str

    @property
    def where(self) -> str:
        return f"{rel(self.path)}:{self.line}"


@cache
def fences(path: Path) -> tuple[Fence, ...]:
    found: list[Fence] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = FENCE_RE.match(lines[index])
        if not match:
            index += 1
            continue
        marker, info = match.group(2), match.group(3).strip().split()
        body: list[str] = []
        index += 1
        start = index + 1
        while index < len(lines) and not lines[index].strip().startswith(marker):
            body.append(lines[index])
            index += 1
        index += 1
        lang = info[0].lower() if info else ""
        found.append(Fence(path, start, lang, frozenset(info[1:]), "\n".join(body)))
    return tuple(found)


def prose(path: Path) -> str:
    """The file without its fenced blocks."""
    text = path.read_text(encoding="utf-8")
    for fence in fences(path):
        text = text.replace(fence.text, "")
    return text


INLINE_CODE_RE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def inline_code(path: Path) -> list[str]:
    return INLINE_CODE_RE.findall(prose(path))


def links(path: Path) -> list[str]:
    return LINK_RE.findall(prose(path))


# --------------------------------------------------------------------------- commands
@dataclass(frozen=True)
class Command:
    """One simple command (no pipes or ``&&``) with its argv, as a doc shows it."""

    where: str
    argv: tuple[str, ...]
    env: tuple[str, ...] = ()
    remote: bool = False
    source: str = field(default="", compare=False)

    @property
    def program(self) -> str:
        return program_name(self.argv[0]) if self.argv else ""


def program_name(word: str) -> str:
    """``.venv/bin/python`` -> ``python``; ``./manage.py`` -> ``manage.py``."""
    name = word.rsplit("/", 1)[-1]
    if re.fullmatch(r"python(3(\.\d+)?)?", name):
        return "python"
    return name


def _logical_lines(fence: Fence) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined; a console block keeps only ``$`` lines."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for offset, raw in enumerate(fence.text.splitlines()):
        line = raw.rstrip()
        if fence.lang == "console":
            if not pending and not line.lstrip().startswith("$ "):
                continue
            line = line.lstrip()[2:] if not pending else line
        if not pending:
            start = fence.line + offset
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append((start, pending + line))
        pending = ""
    if pending:
        out.append((start, pending))
    return out


def _split(words: list[str]) -> list[list[str]]:
    """Simple commands of one line: split at operators, drop redirections and their targets."""
    commands: list[list[str]] = [[]]
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
            continue
        if word in OPERATORS:
            commands.append([])
        elif word in REDIRECTS or re.fullmatch(r"\d?>+&\d", word):
            skip_next = word in REDIRECTS
        elif word in ("(", ")", "{", "}"):
            continue
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


ASSIGNMENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _substitutions(text: str) -> tuple[str, list[str]]:
    """``$(...)`` taken out of a line (balanced, quotes respected): the line with a
    placeholder in their place, and their own text."""
    out, inner, index = [], [], 0
    while index < len(text):
        if text.startswith("$(", index):
            depth, quote, end = 1, "", index + 2
            while end < len(text) and depth:
                char = text[end]
                if quote:
                    quote = "" if char == quote else quote
                elif char in "'\"":
                    quote = char
                elif char == "(":
                    depth += 1
                elif char == ")":
                    depth -= 1
                end += 1
            inner.append(text[index + 2 : end - 1])
            out.append("SUBSTITUTION")
            index = end
        else:
            out.append(text[index])
            index += 1
    return "".join(out), inner


def _words(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote in an example: take the words as written
        return text.split()


def parse_line(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """``(env assignments, argv)`` of each simple command on a line, substitutions included."""
    text, inner = _substitutions(text)
    result = []
    for argv in _split(_words(text)) + [w for sub in inner for w in _split(_words(sub))]:
        env = []
        while argv and ASSIGNMENT_RE.match(argv[0]):
            env.append(argv.pop(0))
        if argv and argv[0] in ("exec", "time", "env", "nohup"):
            argv = argv[1:]
        if argv:
            result.append((tuple(env), tuple(argv)))
    return result


def commands_in(fence: Fence) -> list[Command]:
    tagged = fence.lang in SHELL_LANGS
    if not tagged and fence.lang:
        return []
    found: list[Command] = []
    for line, text in _logical_lines(fence):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        parsed = parse_line(text)
        if not tagged and (not parsed or program_name(parsed[0][1][0]) not in KNOWN_PROGRAMS):
            continue  # an untagged block: output, JSON, prose
        where = f"{rel(fence.path)}:{line}"
        for env, argv in parsed:
            found.append(Command(where, argv, env, "remote" in fence.tags, text.strip()))
    return found


@cache
def all_commands() -> tuple[Command, ...]:
    return tuple(c for path in doc_files() for fence in fences(path) for c in commands_in(fence))
