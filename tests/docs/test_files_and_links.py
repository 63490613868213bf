"""Links between the docs resolve, every doc is reachable from README.md and docs/README.md,
and every file of the repository the docs name exists."""

from __future__ import annotations

import json
import re

import pytest

from tests.docs.codebase import REPO
from tests.docs.markdown import doc_files
from tests.docs.markdown import fences
from tests.docs.markdown import inline_code
from tests.docs.markdown import links
from tests.docs.markdown import rel

DOCS = doc_files()
TOP_LEVEL = ("audible_gateway/", "tracker_api/", "deploy/", "docs/", "tests/", "bench/")
ROOT_FILES = frozenset(
    {"Makefile", "README.md", "docker-compose.yml", ".env.example", "manage.py",
     "gunicorn.conf.py", "pyproject.toml", "requirements.lock"}
)  # fmt: skip
PATH_WORD_RE = re.compile(r"^[\w./*-]+$")


def named_repo_paths(path) -> list[str]:
    """Words in inline code and shell blocks that name a file or folder of this repository."""
    words = list(inline_code(path))
    for fence in fences(path):
        if fence.lang in ("", "sh", "bash", "shell", "console") and "remote" not in fence.tags:
            words += fence.text.split()
    found = []
    for word in words:
        word = word.strip("'\"`,;()").split("::")[0]
        if not PATH_WORD_RE.match(word) or "..." in word:
            continue
        if word.startswith(TOP_LEVEL) or word in ROOT_FILES:
            found.append(word.rstrip("/") or word)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=rel)
def test_named_repository_paths_exist(doc):
    missing = []
    for word in named_repo_paths(doc):
        exists = list(REPO.glob(word)) if "*" in word else (REPO / word).exists()
        if not exists:
            missing.append(word)
    assert missing == [], f"{rel(doc)} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=rel)
def test_relative_links_resolve(doc):
    broken = []
    for target in links(doc):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        if not (doc.parent / target.split("#")[0]).exists():
            broken.append(target)
    assert broken == [], f"{rel(doc)} links to missing files: {broken}"


@pytest.mark.parametrize("index", ["README.md", "docs/README.md"])
def test_every_doc_is_linked_from_the_indexes(index):
    page = REPO / index
    linked = {(page.parent / t.split("#")[0]).resolve() for t in links(page) if ":" not in t}
    unlinked = [rel(d) for d in DOCS if d != page and d.resolve() not in linked]
    if index == "docs/README.md":
        unlinked = [d for d in unlinked if d != "README.md"]
    assert unlinked == [], f"{index} does not link to {unlinked}"


@pytest.mark.parametrize("doc", DOCS, ids=rel)
def test_json_and_python_examples_are_well_formed(doc):
    for fence in fences(doc):
        if fence.lang == "json":
            for chunk in _json_documents(fence.text):
                json.loads(chunk)
        elif fence.lang == "python":
            compile(fence.text, fence.where, "exec")


def _json_documents(text: str) -> list[str]:
    """A json block holds one document, or one per line (JSON lines)."""
    try:
        json.loads(text)
        return [text]
    except ValueError:
        return [line for line in text.splitlines() if line.strip()]
