"""Format detection, row streaming and the import result."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import IO
from typing import TYPE_CHECKING
from typing import Any

from django.db import transaction

from tracker_api.books.importers import goodreads
from tracker_api.books.importers import storygraph
from tracker_api.books.importers.records import BookRecord
from tracker_api.books.importers.records import RowError
from tracker_api.books.importers.writer import BatchWriter

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

BATCH_SIZE = 1000
FORMATS = (goodreads, storygraph)
# A single CSV field may be large (reviews) but not unbounded.
csv.field_size_limit(1024 * 1024)


class ImportFormatError(ValueError):
    """The file is not a CSV export this importer knows; the message says what was expected."""


@dataclass
class ImportResult:
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "notes": self.notes,
        }


def detect_format(header: list[str]):
    """The parser module whose signature columns are all in ``header``."""
    columns = {name.strip() for name in header}
    for module in FORMATS:
        if columns >= module.SIGNATURE:
            return module
    raise ImportFormatError(
        "This is neither a Goodreads library export (Book Id, Title, Author, Exclusive Shelf...) "
        "nor a StoryGraph export (Title, Authors, ISBN/UID, Read Status...)."
    )


def _text_stream(binary: IO[bytes]) -> Iterator[str]:
    """Decode UTF-8 (with or without BOM) line by line; undecodable bytes become U+FFFD."""
    reader = codecs.getreader("utf-8-sig")(binary, errors="replace")
    yield from reader


def _rows(binary: IO[bytes]) -> tuple[Any, Iterator[tuple[int, dict[str, str] | None, str]]]:
    reader = csv.reader(_text_stream(binary))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFormatError("The file is empty.") from None
    except csv.Error as exc:
        raise ImportFormatError(f"The file is not readable CSV ({exc}).") from exc
    header = [name.strip() for name in header]
    parser = detect_format(header)

    def rows() -> Iterator[tuple[int, dict[str, str] | None, str]]:
        line = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield line, None, f"The row is not valid CSV ({exc})."
                line = reader.line_num + 1
                continue
            if values and any(v.strip() for v in values):
                if len(values) > len(header):
                    yield (
                        line,
                        None,
                        (f"The row has {len(values)} fields but the header has {len(header)}."),
                    )
                else:
                    yield line, dict(zip(header, values, strict=False)), ""
            line = reader.line_num + 1

    return parser, rows()


def import_books(user: AbstractBaseUser, binary: IO[bytes]) -> ImportResult:
    """Read ``binary`` (a CSV export) into ``user``'s books; returns what happened per row.

    Raises :class:`ImportFormatError` when the file is not a known export at all.
    """
    parser, rows = _rows(binary)
    result = ImportResult(format=parser.FORMAT)
    with transaction.atomic():
        writer = BatchWriter(user)
        batch: list[BookRecord] = []
        for line, row, problem in rows:
            if row is None:
                result.skipped.append({"line": line, "reason": problem})
                continue
            try:
                record = parser.parse_row(row, line)
            except RowError as exc:
                result.skipped.append({"line": line, "reason": str(exc)})
                continue
            result.notes.extend(
                {"line": line, "field": name, "reason": reason} for name, reason in record.notes
            )
            batch.append(record)
            if len(batch) >= BATCH_SIZE:
                _count(result, writer.write(batch))
                batch = []
        if batch:
            _count(result, writer.write(batch))
    return result


def _count(result: ImportResult, outcome: dict[str, int]) -> None:
    result.created += outcome["created"]
    result.updated += outcome["updated"]
    result.unchanged += outcome["unchanged"]
