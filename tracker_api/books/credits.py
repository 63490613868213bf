"""Who wrote a book and who else is credited: authors kept apart from contributors.

Illustrators, translators and narrators are not authors ("J.K. Rowling, Mary GrandPré, Rufus
Beck" names one author). Sources say so in different ways: a role written after the name
("Mary GrandPré (Illustrator)", "Bo Ek - translator"), a column of their own (StoryGraph's
"Contributors"), or a column of "Additional Authors" that mixes co-authors, illustrators and
narrators without saying which (Goodreads). The role words are the matcher's
(``tracker_api.matching.normalize.credit``), so what the catalogue stores and what the matcher
compares agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker_api.matching.normalize import NOT_AUTHOR_ROLES
from tracker_api.matching.normalize import credit


def contributor(raw: str, default_role: str = "") -> dict[str, str] | None:
    """'Ann Lee (Illustrator)' -> {'name': 'Ann Lee', 'role': 'illustrator'}; None if empty."""
    name, role = credit(raw)
    name = " ".join(name.split())[:300]
    return {"name": name, "role": role or default_role} if name else None


def split_credits(names: Iterable[str]) -> tuple[list[str], list[dict[str, str]]]:
    """An author list as a source gives it -> (authors, contributors): names marked with a
    role that is not an author's leave the authors; everyone else stays as written."""
    authors: list[str] = []
    contributors: list[dict[str, str]] = []
    for raw in names:
        name, role = credit(raw)
        if role in NOT_AUTHOR_ROLES and name:
            contributors.append({"name": name, "role": role})
        elif raw and raw.strip() and raw not in authors:
            authors.append(raw.strip())
    return authors, contributors


def contributors_of(names: Iterable[str], default_role: str = "") -> list[dict[str, str]]:
    """A column of contributors ("Ann Lee (Illustrator), Cy Dee") as role-tagged entries;
    names without a role get ``default_role``."""
    out: list[dict[str, str]] = []
    for raw in names:
        entry = contributor(raw, default_role)
        if entry is not None and entry not in out:
            out.append(entry)
    return out


def catalogue_contributors(value: object) -> tuple[tuple[str, str], ...]:
    """A Book's stored ``contributors`` -> the matcher's ((name, role), ...); odd entries
    (hand-edited JSON) are skipped."""
    if not isinstance(value, list):
        return ()
    out = []
    for entry in value:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]:
            role = entry.get("role")
            out.append((entry["name"], role if isinstance(role, str) else ""))
    return tuple(out)


def credits_text(authors: Iterable[str], contributors: object) -> str:
    """'J.K. Rowling; with Mary GrandPré (illustrator)' for people to read."""
    shown = ", ".join(a for a in authors if a) or "—"
    others = [
        f"{name} ({role})" if role else name for name, role in catalogue_contributors(contributors)
    ]
    return f"{shown}; with {', '.join(others)}" if others else shown
