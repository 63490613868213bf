"""Rebuild ``data/sample_library.json`` and ``data/demo_goodreads_export.csv``.

``python -m audible_gateway.sandbox.tools.build_sample /work/shared/bench-data``

The books are real (goodbooks-10k, CC BY-SA 4.0, see data/ATTRIBUTION.md); the Audible side
(title wording, narrators, runtimes, dates, progress) is written the way Audible lists these
titles. ASINs and ISBNs are synthetic but stable. The tracker export copies the books' rows from
``tracker_books.goodreads.csv`` (the Goodreads "Export Library" layout) and sets shelves, ratings
and read dates of a plausible reader. Only this tool reads bench-data; the sandbox itself runs
from the generated files.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from audible_gateway.sandbox.data import DATA_DIR
from audible_gateway.sandbox.item_factory import ItemSpec
from audible_gateway.sandbox.item_factory import Progress
from audible_gateway.sandbox.item_factory import build_item
from audible_gateway.sandbox.item_factory import stable_id


@dataclass
class Title:
    goodreads_id: str | None  # the book in goodbooks-10k (None: not a catalogue book)
    title: str
    authors: list[str]
    narrators: list[str]
    runtime: int
    release: str
    publisher: str
    bought: str  # purchase date (UTC)
    subtitle: str | None = None
    series: list[tuple[str, str | None]] = field(default_factory=list)
    percent: float = 0.0
    finished_at: str | None = None
    in_export: bool = True  # the demo tracker holds this book
    shelf: str = "to-read"  # the tracker's shelf for it
    date_read: str = ""
    rating: int = 0
    isbn: str | None = None
    genre: str = "literary"
    origin: str = "Purchase"
    status: str = "Active"
    content_type: str = "Product"
    delivery: str = "SinglePartBook"
    format_type: str = "unabridged"
    lagging: bool = False


def _isbn(stem: str) -> str:
    total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(stem))
    return stem + str((10 - total % 10) % 10)


HP = "Harry Potter"
SA = "The Stormlight Archive"
KR = ["Michael Kramer", "Kate Reading"]
LIBRARY: list[Title] = [
    Title(
        "3",
        "Harry Potter and the Sorcerer's Stone, Book 1",
        ["J.K. Rowling"],
        ["Jim Dale"],
        498,
        "2015-11-20",
        "Pottermore Publishing",
        "2016-01-09T18:22:41.000Z",
        series=[(HP, "1")],
        percent=100,
        finished_at="2016-02-14T21:05:10.000Z",
        shelf="read",
        date_read="2016/02/14",
        rating=5,
        genre="children",
        isbn=_isbn("978178110" + "035"),
    ),
    Title(
        "15881",
        "Harry Potter and the Chamber of Secrets, Book 2",
        ["J.K. Rowling"],
        ["Jim Dale"],
        546,
        "2015-11-20",
        "Pottermore Publishing",
        "2016-02-15T07:40:02.000Z",
        series=[(HP, "2")],
        percent=100,
        finished_at="2016-03-20T22:11:47.000Z",
        shelf="to-read",
        genre="children",
    ),
    Title(
        "5",
        "Harry Potter and the Prisoner of Azkaban, Book 3",
        ["J.K. Rowling"],
        ["Jim Dale"],
        717,
        "2015-11-20",
        "Pottermore Publishing",
        "2023-03-02T19:03:55.000Z",
        series=[(HP, "3")],
        percent=42.37,
        shelf="currently-reading",
        genre="children",
    ),
    Title(
        "6",
        "Harry Potter and the Goblet of Fire, Book 4",
        ["J.K. Rowling"],
        ["Jim Dale"],
        1257,
        "2015-11-20",
        "Pottermore Publishing",
        "2023-03-02T19:04:12.000Z",
        series=[(HP, "4")],
        genre="children",
    ),
    Title(
        "7235533",
        "The Way of Kings",
        ["Brandon Sanderson"],
        KR,
        2734,
        "2010-08-31",
        "Macmillan Audio",
        "2019-06-30T12:00:03.000Z",
        subtitle=f"{SA}, Book 1",
        series=[(SA, "1")],
        percent=100,
        finished_at="2019-09-02T06:45:19.000Z",
        shelf="read",
        date_read="2019/09/01",
        rating=5,
        genre="fantasy",
        delivery="MultiPartBook",
        isbn=_isbn("978142720" + "911"),
    ),
    Title(
        "17332218",
        "Words of Radiance: The Stormlight Archive, Book 2",
        ["Brandon Sanderson"],
        KR,
        2887,
        "2014-03-04",
        "Macmillan Audio",
        "2019-09-02T07:10:44.000Z",
        series=[(SA, "2")],
        percent=67.1,
        shelf="currently-reading",
        genre="fantasy",
        delivery="MultiPartBook",
        lagging=True,
    ),
    Title(
        "68428",
        "The Final Empire",
        ["Brandon Sanderson"],
        ["Michael Kramer"],
        1484,
        "2008-02-15",
        "Recorded Books",
        "2018-01-21T10:31:00.000Z",
        subtitle="Mistborn, Book 1",
        series=[("Mistborn", "1")],
        percent=100,
        finished_at="2018-03-04T20:02:33.000Z",
        shelf="read",
        date_read="2018/03/04",
        rating=4,
        genre="fantasy",
    ),
    Title(
        "68429",
        "The Well of Ascension",
        ["Brandon Sanderson"],
        ["Michael Kramer"],
        1662,
        "2008-03-28",
        "Recorded Books",
        "2018-03-05T08:12:09.000Z",
        subtitle="Book Two of Mistborn",
        series=[("Mistborn", "2")],
        percent=12.5,
        genre="fantasy",
    ),
    Title(
        "2767052",
        "The Hunger Games",
        ["Suzanne Collins"],
        ["Carolyn McCormick"],
        660,
        "2008-10-14",
        "Scholastic Audio",
        "2017-05-12T16:48:20.000Z",
        subtitle="Special Edition",
        series=[("The Hunger Games", "1")],
        percent=100,
        finished_at="2017-05-30T23:15:00.000Z",
        shelf="read",
        date_read="2017/05/30",
        rating=4,
        genre="scifi",
    ),
    Title(
        "6148028",
        "Catching Fire",
        ["Suzanne Collins"],
        ["Carolyn McCormick"],
        705,
        "2009-09-01",
        "Scholastic Audio",
        "2017-06-01T09:00:41.000Z",
        subtitle="The Hunger Games, Book 2",
        series=[("The Hunger Games", "2")],
        genre="scifi",
    ),
    Title(
        "15839976",
        "Red Rising",
        ["Pierce Brown"],
        ["Tim Gerard Reynolds"],
        975,
        "2014-01-28",
        "Recorded Books",
        "2024-08-19T21:17:36.000Z",
        subtitle="Red Rising Series, Book 1",
        series=[("Red Rising Series", "1")],
        percent=88.4,
        shelf="currently-reading",
        genre="scifi",
    ),
    Title(
        "8855321",
        "Leviathan Wakes",
        ["James S. A. Corey"],
        ["Jefferson Mays"],
        1236,
        "2012-03-27",
        "Hachette Audio",
        "2020-04-11T13:25:50.000Z",
        subtitle="The Expanse, Book 1",
        series=[("The Expanse", "1")],
        percent=100,
        finished_at="2020-05-09T18:40:00.000Z",
        shelf="read",
        date_read="2020/05/09",
        rating=4,
        genre="scifi",
        isbn=_isbn("978161113" + "270"),
    ),
    Title(
        "12591698",
        "Caliban's War",
        ["James S. A. Corey"],
        ["Jefferson Mays"],
        1258,
        "2012-06-26",
        "Hachette Audio",
        "2020-05-09T18:55:13.000Z",
        subtitle="The Expanse, Book 2",
        series=[("The Expanse", "2")],
        genre="scifi",
    ),
    Title(
        "186074",
        "The Name of the Wind",
        ["Patrick Rothfuss"],
        ["Nick Podehl"],
        1664,
        "2011-03-29",
        "Brilliance Audio",
        "2021-11-26T08:03:27.000Z",
        subtitle="Kingkiller Chronicle, Book 1",
        series=[("The Kingkiller Chronicle", "1")],
        percent=23.9,
        genre="fantasy",
    ),
    Title(
        "18007564",
        "The Martian",
        ["Andy Weir"],
        ["R. C. Bray"],
        653,
        "2013-03-22",
        "Podium Audio",
        "2015-10-04T20:10:10.000Z",
        percent=100,
        finished_at="2015-10-12T22:30:45.000Z",
        shelf="read",
        date_read="2015/10/12",
        rating=5,
        genre="scifi",
        isbn=_isbn("978149154" + "156"),
    ),
    Title(
        "9969571",
        "Ready Player One",
        ["Ernest Cline"],
        ["Wil Wheaton"],
        940,
        "2011-08-16",
        "Random House Audio",
        "2018-02-26T17:45:00.000Z",
        percent=100,
        finished_at="2018-03-25T19:12:06.000Z",
        shelf="read",
        date_read="2018/03/28",
        rating=3,
        genre="scifi",
    ),
    Title(
        "23692271",
        "Sapiens",
        ["Yuval Noah Harari"],
        ["Derek Perkins"],
        926,
        "2015-02-10",
        "HarperAudio",
        "2022-01-03T06:30:00.000Z",
        subtitle="A Brief History of Humankind",
        percent=55.0,
        shelf="currently-reading",
        genre="nonfiction",
    ),
    Title(
        "11468377",
        "Thinking, Fast and Slow",
        ["Daniel Kahneman"],
        ["Patrick Egan"],
        1201,
        "2011-11-10",
        "Random House Audio",
        "2019-12-24T10:10:10.000Z",
        genre="selfhelp",
        isbn=_isbn("978030793" + "487"),
    ),
    Title(
        "29780253",
        "Born a Crime",
        ["Trevor Noah"],
        ["Trevor Noah"],
        529,
        "2016-11-15",
        "Audible Studios",
        "2017-01-18T12:00:00.000Z",
        subtitle="Stories from a South African Childhood",
        percent=100,
        finished_at="2017-02-03T07:55:55.000Z",
        shelf="read",
        date_read="2017/02/03",
        rating=5,
        genre="biography",
    ),
    Title(
        "9418327",
        "Bossypants",
        ["Tina Fey"],
        ["Tina Fey"],
        331,
        "2011-04-05",
        "Hachette Audio",
        "2016-07-04T15:00:00.000Z",
        percent=100,
        finished_at="2016-07-09T11:11:11.000Z",
        shelf="read",
        date_read="",
        genre="biography",
    ),
    Title(
        "5907",
        "The Hobbit",
        ["J.R.R. Tolkien"],
        ["Andy Serkis"],
        615,
        "2020-11-26",
        "HarperCollins Publishers Limited",
        "2021-12-25T09:14:22.000Z",
        genre="fantasy",
    ),
    Title(
        "234225",
        "Dune",
        ["Frank Herbert"],
        ["Scott Brick", "Orlagh Cassidy", "Euan Morton", "Simon Vance"],
        1263,
        "2006-12-28",
        "Macmillan Audio",
        "2021-10-22T20:20:20.000Z",
        subtitle="Book One in the Dune Chronicles",
        series=[("Dune", "1")],
        percent=5.2,
        in_export=False,
        genre="scifi",
        delivery="MultiPartBook",
    ),
    Title(
        "8442457",
        "Gone Girl",
        ["Gillian Flynn"],
        ["Julia Whelan", "Kirby Heyborne"],
        1155,
        "2012-06-05",
        "Random House Audio",
        "2014-10-01T21:00:00.000Z",
        subtitle="A Novel",
        percent=100,
        finished_at="2014-10-19T23:40:12.000Z",
        shelf="read",
        date_read="2014/10/19",
        rating=4,
        genre="mystery",
    ),
    Title(
        "22557272",
        "The Girl on the Train",
        ["Paula Hawkins"],
        ["Clare Corbett", "Louise Brealey", "India Fisher"],
        656,
        "2015-01-13",
        "Penguin Audio",
        "2015-03-08T14:02:00.000Z",
        status="Revoked",
        genre="mystery",
    ),
    Title(
        "10964",
        "Outlander",
        ["Diana Gabaldon"],
        ["Davina Porter"],
        1928,
        "2006-09-05",
        "Recorded Books",
        "2024-02-14T22:05:00.000Z",
        series=[("Outlander", "1")],
        in_export=False,
        genre="romance",
        delivery="MultiPartBook",
    ),
    Title(
        "9361589",
        "The Night Circus",
        ["Erin Morgenstern"],
        ["Jim Dale"],
        822,
        "2011-09-13",
        "Random House Audio",
        "2016-12-01T18:18:18.000Z",
        percent=100,
        finished_at="2017-01-07T09:09:09.000Z",
        shelf="to-read",
        genre="literary",
    ),
    Title(
        "12067",
        "Good Omens",
        ["Terry Pratchett", "Neil Gaiman"],
        ["Martin Jarvis"],
        748,
        "2006-11-28",
        "HarperAudio",
        "2019-06-01T12:12:12.000Z",
        subtitle="The Nice and Accurate Prophecies of Agnes Nutter, Witch",
        percent=30.0,
        genre="fantasy",
    ),
    Title(
        "4407",
        "American Gods",
        ["Neil Gaiman"],
        ["Dennis Boutsikaris", "Daniel Oreskes", "Ron McLarty"],
        1170,
        "2011-06-21",
        "HarperAudio",
        "2017-04-30T08:08:08.000Z",
        subtitle="The Tenth Anniversary Edition: A Full Cast Production",
        series=[("American Gods", "1")],
        genre="fantasy",
    ),
    Title(
        "11084145",
        "Steve Jobs",
        ["Walter Isaacson"],
        ["Dylan Baker"],
        1507,
        "2011-10-24",
        "Simon & Schuster Audio",
        "2012-01-15T16:16:16.000Z",
        in_export=False,
        genre="biography",
        isbn=_isbn("978144284" + "657"),
    ),
    Title(
        "8520610",
        "Quiet",
        ["Susan Cain"],
        ["Kathe Mazur"],
        640,
        "2012-01-24",
        "Random House Audio",
        "2020-08-08T08:00:00.000Z",
        subtitle="The Power of Introverts in a World That Can't Stop Talking",
        percent=100,
        finished_at="2020-08-30T20:45:00.000Z",
        shelf="read",
        date_read="2020/08/30",
        rating=4,
        genre="selfhelp",
    ),
    Title(
        "3228917",
        "Outliers",
        ["Malcolm Gladwell"],
        ["Malcolm Gladwell"],
        438,
        "2008-11-18",
        "Hachette Audio",
        "2022-09-15T07:07:07.000Z",
        subtitle="The Story of Success",
        percent=15.3,
        genre="selfhelp",
    ),
    Title(
        "1885",
        "Pride and Prejudice",
        ["Jane Austen"],
        ["Rosamund Pike"],
        709,
        "2011-05-24",
        "Audible Studios",
        "2019-02-14T20:14:00.000Z",
        percent=100,
        finished_at="2019-03-10T21:21:21.000Z",
        shelf="read",
        date_read="2019/03/10",
        rating=5,
        genre="classics",
    ),
    Title(
        "5470",
        "1984",
        ["George Orwell"],
        ["Simon Prebble"],
        682,
        "2007-07-16",
        "Blackstone Audio, Inc.",
        "2018-11-05T11:00:00.000Z",
        subtitle="New Classic Edition",
        percent=100,
        finished_at="2018-11-20T23:59:00.000Z",
        shelf="read",
        genre="classics",
    ),
    Title(
        "5129",
        "Brave New World",
        ["Aldous Huxley"],
        ["Michael York"],
        482,
        "2003-08-01",
        "Blackstone Audio, Inc.",
        "2023-06-01T10:00:00.000Z",
        in_export=False,
        origin="Subscription",
        genre="classics",
    ),
    Title(
        "11250317",
        "The Song of Achilles",
        ["Madeline Miller"],
        ["Frazer Douglas"],
        673,
        "2012-03-06",
        "HarperAudio",
        "2024-12-26T12:00:00.000Z",
        subtitle="A Novel",
        percent=71.8,
        shelf="currently-reading",
        genre="literary",
    ),
    # Decisions for a person: an omnibus, a same-title book by another author, an adaptation.
    Title(
        "33",
        "The Lord of the Rings",
        ["J.R.R. Tolkien"],
        ["Andy Serkis"],
        3260,
        "2021-09-23",
        "HarperCollins Publishers Limited",
        "2022-12-25T10:00:00.000Z",
        subtitle="The Fellowship of the Ring, The Two Towers, The Return of the King",
        series=[("The Lord of the Rings", "1-3")],
        percent=8.0,
        genre="fantasy",
        delivery="MultiPartBook",
    ),
    # Audible numbers the Narnia books in story order (The Magician's Nephew is Book 1) while
    # Goodreads uses publication order (#6): the same book with a different series number, a
    # real case the matcher must hand to a person rather than link or duplicate.
    Title(
        "65605",
        "The Magician's Nephew",
        ["C. S. Lewis"],
        ["Kenneth Branagh"],
        305,
        "2004-10-26",
        "HarperAudio",
        "2019-12-01T10:11:12.000Z",
        series=[("The Chronicles of Narnia", "1")],
        percent=64.0,
        genre="fantasy",
    ),
    Title(
        "49552",
        "The Stranger",
        ["Albert Camus"],
        ["Jonathan Davis"],
        247,
        "2011-01-04",
        "Random House Audio",
        "2021-03-03T03:03:03.000Z",
        in_export=False,
        genre="classics",
    ),
    Title(
        None,
        "The Sandman",
        ["Neil Gaiman", "Dirk Maggs"],
        ["Riz Ahmed", "Kat Dennings", "Taron Egerton", "Neil Gaiman", "James McAvoy"],
        641,
        "2020-07-15",
        "Audible Originals",
        "2020-07-15T07:00:00.000Z",
        percent=40.0,
        origin="AudibleComplimentaryOriginal",
        genre="fantasy",
    ),
    Title(
        "17212231",
        "Inferno",
        ["Dan Brown"],
        ["Paul Michael"],
        1021,
        "2013-05-14",
        "Random House Audio",
        "2016-04-04T04:04:04.000Z",
        subtitle="A Novel",
        series=[("Robert Langdon", "4")],
        genre="mystery",
    ),
    # A podcast (the tracker skips it).
    Title(
        None,
        "The Butterfly Effect with Jon Ronson",
        ["Jon Ronson"],
        ["Jon Ronson"],
        232,
        "2017-07-28",
        "Audible Originals",
        "2017-07-28T09:00:00.000Z",
        percent=35.0,
        content_type="Podcast",
        delivery="PodcastParent",
        origin="AudibleChannels",
        format_type="original_recording",
        genre="podcast",
    ),
]
# The demo tracker's other books (not in the Audible library).
EXTRA_EXPORT = [
    ("2657", "read", "2010/06/01", 5), ("4671", "read", "", 4), ("5107", "to-read", "", 0),
    ("19063", "read", "2015/01/20", 5), ("4667024", "to-read", "", 0), ("4214", "read", "", 3),
    ("968", "read", "2005/08/15", 3), ("11870085", "to-read", "", 0),
    ("7260188", "to-read", "", 0), ("18966819", "to-read", "", 0), ("1215032", "to-read", "", 0),
    ("2767793", "to-read", "", 0), ("2", "to-read", "", 0), ("1", "to-read", "", 0),
    ("136251", "to-read", "", 0), ("34", "read", "2012/12/30", 5), ("15241", "to-read", "", 0),
    ("18512", "to-read", "", 0), ("23754", "read", "2014/04/04", 4), ("6604209", "to-read", "", 0),
    ("22571540", "to-read", "", 0), ("15645", "to-read", "", 0), ("41865", "read", "", 2),
    ("93724", "to-read", "", 0), ("13335037", "to-read", "", 0), ("9572203", "read", "", 4),
]  # fmt: skip


def library_items() -> list[dict]:
    items = []
    for t in LIBRARY:
        asin = stable_id("sample", t.title, t.authors[0])
        spec = ItemSpec(
            asin=asin,
            title=t.title,
            subtitle=t.subtitle,
            authors=t.authors,
            narrators=t.narrators,
            series=t.series,
            runtime_min=t.runtime,
            release_date=t.release,
            purchase_date=t.bought,
            publisher=t.publisher,
            content_type=t.content_type,
            content_delivery_type=t.delivery,
            format_type=t.format_type,
            origin_type=t.origin,
            status=t.status,
            isbn=t.isbn,
            genre=t.genre,
            progress=Progress(
                percent=t.percent,
                is_finished=t.finished_at is not None,
                finished_at=t.finished_at,
                lagging_top_level=t.lagging,
            ),
        )
        items.append(build_item(spec))
    return items


def export_rows(bench_data: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(bench_data / "tracker_books.goodreads.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        by_id = {row["Book Id"]: row for row in reader}
    wanted = [
        (t.goodreads_id, t.shelf, t.date_read, t.rating)
        for t in LIBRARY
        if t.goodreads_id and t.in_export
    ] + EXTRA_EXPORT
    rows = []
    for position, (book_id, shelf, date_read, rating) in enumerate(wanted, start=1):
        row = dict(by_id[book_id])
        row.update(
            {
                "My Rating": str(rating),
                "Date Read": date_read,
                "Date Added": f"20{10 + position % 14:02d}/{1 + position % 12:02d}/"
                f"{1 + position % 27:02d}",
                "Bookshelves": "" if shelf == "read" else shelf,
                "Bookshelves with positions": f"{shelf} (#{position})",
                "Exclusive Shelf": shelf,
                "Read Count": "1" if shelf == "read" else "0",
            }
        )
        rows.append(row)
    return header, rows


def main(argv: list[str]) -> int:
    bench = Path(argv[1] if len(argv) > 1 else "/work/shared/bench-data")
    items = library_items()
    with open(DATA_DIR / "sample_library.json", "w", encoding="utf-8") as f:
        json.dump({"items": items}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    header, rows = export_rows(bench)
    with open(DATA_DIR / "demo_goodreads_export.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(items)} library items, {len(rows)} tracker books")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
