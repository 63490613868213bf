"""Format detection, row streaming and the import result."""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from types import ModuleType
from typing import IO
from typing import TYPE_CHECKING
from typing import Any

from django.db import transaction

from tracker_api.books.importers import goodreads
from tracker_api.books.importers import storygraph
from tracker_api.books.importers.records import BookRecord
from tracker_api.books.importers.records import RowError
from tracker_api.books.importers.records import bound_cells
from tracker_api.books.importers.records import enforce_lengths
from tracker_api.books.importers.writer import BatchOutcome
from tracker_api.books.importers.writer import BatchWriter

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BATCH_SIZE = 1000
FORMATS = (goodreads, storygraph)
# A single CSV field may be large (reviews) but not unbounded.
csv.field_size_limit(1024 * 1024)


CHUNK_BYTES = 256 * 1024
# Bytes that are not UTF-8 are decoded to lone surrogates (surrogateescape) so the row holding
# them can be reported and skipped, instead of being stored with U+FFFD in place of letters.
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class ImportFormatError(ValueError):
    """The file is not a CSV export this importer knows; the message says what was expected."""


class ImportTooLarge(ImportFormatError):
    """The file is larger than ``TRACKER_IMPORT_MAX_BYTES``."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"The file is {size} bytes; imports are limited to {limit} bytes "
            "(TRACKER_IMPORT_MAX_BYTES)."
        )
        self.size = size
        self.limit = limit


@dataclass
class ImportResult:
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    # Rows whose shelf or dates the tracker knows better (the sync or the person moved the
    # book on since the export): left as the tracker has them, each named with why.
    kept: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept_count": len(self.kept),
            "kept": self.kept,
            "skipped": self.skipped,
            "notes": self.notes,
        }


def detect_format(header: list[str]) -> ModuleType:
    """The parser module whose signature columns are all in ``header``."""
    columns = {name.strip() for name in header}
    for module in FORMATS:
        if columns >= module.SIGNATURE:
            return module
    raise ImportFormatError(
        "This is neither a Goodreads library export (Book Id, Title, Author, Exclusive Shelf...) "
        "nor a StoryGraph export (Title, Authors, ISBN/UID, Read Status...)."
    )


def _text_stream(binary: Any) -> Iterator[str]:
    """Decode UTF-8 (with or without BOM) into lines that end in ``\n``, in linear time.

    Read in chunks and cut at the last newline of each chunk (``codecs`` stream readers are
    quadratic on long lines). Undecodable bytes become lone surrogates, found per row later.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    pending: list[str] = []
    start = True
    while True:
        chunk = binary.read(CHUNK_BYTES)
        text = decoder.decode(chunk, final=not chunk)
        if start and text:
            text = text.removeprefix("\ufeff")
            start = False
        cut = text.rfind("\n")
        if cut == -1:
            if text:
                pending.append(text)
        else:
            head = "".join(pending) + text[: cut + 1]
            pending = [text[cut + 1 :]] if cut + 1 < len(text) else []
            lines = head.split("\n")
            for line in lines[:-1]:
                yield line + "\n"
        if not chunk:
            break
    rest = "".join(pending)
    if rest:
        yield rest


def file_size(binary: IO[bytes]) -> int | None:
    """The size of an upload or an open file, when it can be known without reading it."""
    size = getattr(binary, "size", None)
    if isinstance(size, int):
        return size
    try:
        return os.fstat(binary.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        return None


def _rows(binary: Any) -> tuple[Any, Iterator[tuple[int, dict[str, str] | None, str]]]:
    reader = csv.reader(_text_stream(binary), strict=True)
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
                bad = _UNDECODABLE.search("\x00".join(values))
                if bad:
                    byte = ord(bad.group()) - 0xDC00
                    yield (
                        line,
                        None,
                        f"The row is not valid UTF-8 text (byte 0x{byte:02x}); save the file "
                        "as UTF-8 and import it again.",
                    )
                elif len(values) > len(header):
                    yield (
                        line,
                        None,
                        (f"The row has {len(values)} fields but the header has {len(header)}."),
                    )
                else:
                    yield line, dict(zip(header, values, strict=False)), ""
            line = reader.line_num + 1

    return parser, rows()


def read_row(parser: Any, row: dict[str, str], line: int) -> BookRecord:
    """One row as a record, every cell within its budget before the parser sees it.

    Raises RowError when the row cannot be a book (including a title cell over its budget).
    """
    bounded, notes = bound_cells(row, parser.CELL_BUDGETS)
    record = parser.parse_row(bounded, line)
    record.notes[:0] = notes
    enforce_lengths(record)
    return record


class _CappedReader:
    """A binary stream that refuses to yield more than ``limit`` bytes in total.

    Uploads and regular files have a size known up front (checked before reading); a pipe or
    a device handed to ``manage.py import_books`` does not, so its bytes are counted instead.
    """

    def __init__(self, binary: IO[bytes], limit: int) -> None:
        self.binary = binary
        self.limit = limit
        self.seen = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.binary.read(size)
        self.seen += len(chunk)
        if self.seen > self.limit:
            raise ImportTooLarge(self.seen, self.limit)
        return chunk


def import_books(user: User, binary: IO[bytes]) -> ImportResult:
    """Read ``binary`` (a CSV export) into ``user``'s books; returns what happened per row.

    Raises :class:`ImportFormatError` when the file is not a known export at all, and
    :class:`ImportTooLarge` (a subclass) when it is over ``TRACKER_IMPORT_MAX_BYTES``.
    """
    from tracker_api.core.parsers import max_import_bytes

    size, limit = file_size(binary), max_import_bytes()
    if size is not None and size > limit:
        raise ImportTooLarge(size, limit)
    parser, rows = _rows(_CappedReader(binary, limit))
    result = ImportResult(format=parser.FORMAT)
    with transaction.atomic():
        writer = BatchWriter(user)
        batch: list[BookRecord] = []
        for line, row, problem in rows:
            if row is None:
                result.skipped.append({"line": line, "reason": problem})
                continue
            try:
                record = read_row(parser, row, line)
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


def _count(result: ImportResult, outcome: BatchOutcome) -> None:
    result.created += outcome.created
    result.updated += outcome.updated
    result.unchanged += outcome.unchanged
    result.kept.extend(
        {"line": record.line, "book_id": book.pk, "title": book.title, "reason": reason}
        for record, book, reason in outcome.kept
    )
