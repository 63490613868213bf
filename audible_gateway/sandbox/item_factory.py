"""Building library items in the full real API shape (all 149 keys) from a few facts.

Used by the sample-data builder and ``library_gen``. The template mirrors a real item
(``library_item_full.a2a.json``): nested objects that every title shares are shared
references, so the sandbox never mutates nested values in place (it replaces them).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from typing import Any

from audible_gateway.sandbox.groups import ITEM_KEYS

_CODECS = [
    {
        "enhanced_codec": "LC_64_22050_stereo",
        "format": "Enhanced",
        "is_kindle_enhanced": True,
        "name": "aax_22_64",
    },
    {
        "enhanced_codec": "LC_32_22050_stereo",
        "format": "Enhanced",
        "is_kindle_enhanced": True,
        "name": "aax_22_32",
    },
    {
        "enhanced_codec": "mp42232",
        "format": "Enhanced",
        "is_kindle_enhanced": True,
        "name": "mp4_22_32",
    },
    {
        "enhanced_codec": "mp42264",
        "format": "Enhanced",
        "is_kindle_enhanced": True,
        "name": "mp4_22_64",
    },
    {"enhanced_codec": "aax", "format": "Enhanced", "is_kindle_enhanced": False, "name": "aax"},
]
_RIGHTS = {
    "is_book_qa_eligible": False,
    "is_consumable": True,
    "is_consumable_indefinitely": True,
    "is_consumable_offline": True,
    "is_consumable_until": None,
}
_PURCHASE_PLAN = [
    {
        "customer_eligible": None,
        "detail_plan_names": None,
        "end_date": "2099-12-31T00:00:00.00000Z",
        "plan_name": "US Minerva",
        "start_date": "1970-01-01T00:00:00.00000Z",
    }
]
_PLUS_PLAN = [
    {
        "customer_eligible": None,
        "detail_plan_names": None,
        "end_date": "2099-12-31T00:00:00.00000Z",
        "plan_name": "AccessViaMusic",
        "start_date": "1970-01-01T00:00:00.00000Z",
    }
]
_PUBLISHER_CODES = ("ACX0", "RHDM", "PENG", "HARP", "MCMA", "BLAK")
_TEMPLATE: dict[str, Any] = dict.fromkeys(ITEM_KEYS)
_TEMPLATE.update(
    {
        "asset_details": [],
        "available_codecs": _CODECS,
        "customer_rights": _RIGHTS,
        "distribution_rights_region": None,
        "editorial_reviews": [""],
        "has_children": False,
        "is_adult_product": False,
        "is_ayce": False,
        "is_buyable": True,
        "is_downloaded": False,
        "is_listenable": True,
        "is_pdf_url_available": False,
        "is_pending": False,
        "is_preorderable": False,
        "is_purchasability_suppressed": False,
        "is_removable": False,
        "is_removable_by_parent": True,
        "is_returnable": False,
        "is_visible": True,
        "is_vvab": False,
        "is_world_rights": False,
        "merchandising_description": "",
        "origin_marketplace": "AF2M0KC94RCEA",
        "product_state": "AVAILABLE",
        "read_along_support": "false",
    }
)

_GENRES = {
    "fantasy": ("Science Fiction & Fantasy", "Fantasy", "Science_Fiction_Fantasy/Fantasy"),
    "scifi": (
        "Science Fiction & Fantasy",
        "Science Fiction",
        "Science_Fiction_Fantasy/Science_Fiction",
    ),
    "mystery": ("Mystery, Thriller & Suspense", "Thriller & Suspense", "Mystery_Thriller_Suspense"),
    "literary": ("Literature & Fiction", "Literary Fiction", "Literature_Fiction/Literary_Fiction"),
    "classics": ("Literature & Fiction", "Classics", "Literature_Fiction/Classics"),
    "children": ("Children's Audiobooks", "Literature & Fiction", "Childrens_Audiobooks"),
    "nonfiction": ("History", "World", "History/World"),
    "biography": ("Biographies & Memoirs", "Memoirs", "Biographies_Memoirs/Memoirs"),
    "selfhelp": (
        "Relationships, Parenting & Personal Development",
        "Personal Development",
        "Self_Development",
    ),
    "romance": ("Romance", "Contemporary", "Romance/Contemporary"),
    "podcast": ("Comedy & Humor", "Performing Arts", "Comedy_Humor"),
}


@lru_cache(maxsize=65536)
def stable_id(*parts: str, prefix: str = "B0", length: int = 10) -> str:
    """A realistic, stable Amazon-style id (``B0`` + uppercase alphanumerics) from text."""
    digest = hashlib.sha1("\x1f".join(parts).encode()).digest()  # noqa: S324 - not security
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length - len(prefix)):
        number, rem = divmod(number, 36)
        chars.append(alphabet[rem])
    return prefix + "".join(chars)


def _digits(text: str, length: int) -> str:
    return str(zlib.crc32(text.encode()) % 10**length).zfill(length)


def image_url(asin: str) -> str:
    """A cover URL in Amazon's form (``51…L._SL500_.jpg``), stable for the ASIN."""
    return f"https://m.media-amazon.com/images/I/51{asin[2:][::-1]}L._SL500_.jpg"


@dataclass
class Progress:
    percent: float = 0.0
    is_finished: bool = False
    finished_at: str | None = None  # API timestamp
    lagging_top_level: bool = False  # top-level percent_complete stale, as in real data


@dataclass
class ItemSpec:
    """The facts of one title; everything else is derived in the real shape."""

    asin: str
    title: str
    authors: list[str]
    narrators: list[str]
    runtime_min: int
    release_date: str  # YYYY-MM-DD
    purchase_date: str  # API timestamp
    subtitle: str | None = None
    series: list[tuple[str, str | None]] = field(default_factory=list)  # (title, sequence)
    publisher: str = "Audible Studios"
    language: str = "english"
    format_type: str = "unabridged"
    content_type: str = "Product"
    content_delivery_type: str = "SinglePartBook"
    origin_type: str = "Purchase"
    status: str = "Active"
    isbn: str | None = None
    genre: str = "literary"
    summary: str | None = None
    progress: Progress = field(default_factory=Progress)
    rating: float = 4.5
    num_ratings: int = 1000
    is_ayce: bool = False


@lru_cache(maxsize=65536)
def _person(name: str, kind: str) -> dict[str, Any]:
    return {"asin": stable_id(kind, name) if kind == "author" else None, "name": name}


def build_item(spec: ItemSpec) -> dict[str, Any]:
    """A full 149-key library item for ``spec`` (all groups filled; the API nulls per group)."""
    item = dict(_TEMPLATE)
    asin = spec.asin
    sku = f"BK_{_PUBLISHER_CODES[zlib.crc32(spec.publisher.encode()) % 6]}_{_digits(asin, 6)}"
    top, sub, keyword = _GENRES.get(spec.genre, _GENRES["literary"])
    year = spec.release_date[:4]
    summary = spec.summary or f"<p>{spec.title} by {', '.join(spec.authors)}.</p>"
    percent = 100.0 if spec.progress.is_finished else round(spec.progress.percent, 2)
    remaining = (
        0 if spec.progress.is_finished else int(spec.runtime_min * 60 * (100 - percent) / 100)
    )
    image = image_url(asin)
    podcast = spec.content_type == "Podcast"
    item.update(
        {
            "asin": asin,
            "title": spec.title,
            "subtitle": spec.subtitle,
            "authors": [_person(n, "author") for n in spec.authors],
            "narrators": [_person(n, "narrator") for n in spec.narrators],
            "publisher_name": spec.publisher,
            "series": [
                {
                    "asin": stable_id("series", title),
                    "sequence": seq,
                    "title": title,
                    "url": f"/pd/{title.replace(' ', '-')}-Audiobook/{stable_id('series', title)}",
                }
                for title, seq in spec.series
            ]
            or None,
            "runtime_length_min": spec.runtime_min,
            "release_date": spec.release_date,
            "issue_date": spec.release_date,
            "date_first_available": spec.release_date,
            "publication_datetime": f"{spec.release_date}T08:00:00Z",
            "product_site_launch_date": f"{spec.release_date}T08:00:00Z",
            "preorder_release_date": f"{spec.release_date}T08:00:00Z",
            "language": spec.language,
            "format_type": spec.format_type,
            "content_type": spec.content_type,
            "content_delivery_type": spec.content_delivery_type,
            "has_children": spec.content_delivery_type in ("MultiPartBook", "PodcastParent"),
            "origin_type": spec.origin_type,
            "origin_asin": asin,
            "origin_id": None
            if podcast
            else f"D01-{_digits(asin + 'o', 7)}-{_digits(asin + 'i', 7)}",
            "plans": _PLUS_PLAN if spec.origin_type != "Purchase" else _PURCHASE_PLAN,
            "is_ayce": spec.is_ayce or spec.origin_type == "Subscription",
            "is_removable": spec.origin_type != "Purchase",
            "status": spec.status,
            "isbn": spec.isbn,
            "copyright": f"\u00a9{year} {spec.authors[0] if spec.authors else spec.publisher} "
            f"(P){year} {spec.publisher}",
            "purchase_date": spec.purchase_date,
            "library_status": {
                "date_added": spec.purchase_date,
                "is_pending": False,
                "is_preordered": None,
                "is_removable": spec.origin_type != "Purchase",
                "is_visible": True,
            },
            "sku": sku,
            "sku_lite": sku,
            "publication_name": spec.series[0][0] if spec.series else None,
            "merchandising_summary": summary,
            "publisher_summary": summary,
            "extended_product_description": summary,
            "product_images": {"500": image},
            "social_media_images": {"facebook": image.replace("_SL500_", "_SL10_UR1600,800_")},
            "sample_url": f"https://samples.audible.com/bk/{sku.lower()}_sample.mp3",
            "platinum_keywords": [keyword],
            "thesaurus_subject_keywords": [keyword.split("/")[0].lower().replace("_", "-")],
            "category_ladders": [
                {
                    "ladder": [
                        {"id": stable_id(top, prefix="1", length=11), "name": top},
                        {"id": stable_id(top, sub, prefix="1", length=11), "name": sub},
                    ],
                    "root": "Genres",
                }
            ],
            "rating": _rating(spec.rating, spec.num_ratings),
            "is_finished": spec.progress.is_finished,
            "percent_complete": 0.0 if spec.progress.lagging_top_level else percent,
            "listening_status": {
                "finished_at_timestamp": spec.progress.finished_at
                if spec.progress.is_finished
                else None,
                "is_finished": spec.progress.is_finished,
                "percent_complete": percent,
                "time_remaining_seconds": remaining,
            },
            "is_shared": None,
        }
    )
    if podcast:
        item.update(
            {"is_buyable": False, "is_removable": True, "format_type": "original_recording"}
        )
    return item


def _rating(average: float, count: int) -> dict[str, Any]:
    """Rating block; shared between titles with the same rounded figures (never mutated)."""
    return _rating_cached(round(average, 1), int(float(f"{count:.2g}")))


@lru_cache(maxsize=4096)
def _rating_cached(average: float, count: int) -> dict[str, Any]:
    def dist(avg: float, n: int) -> dict[str, Any]:
        five = int(n * 0.7)
        four = int(n * 0.18)
        three = int(n * 0.07)
        two = int(n * 0.03)
        one = n - five - four - three - two
        return {
            "average_rating": avg,
            "display_average_rating": f"{avg:.1f}",
            "display_stars": round(avg * 2) / 2,
            "num_five_star_ratings": five,
            "num_four_star_ratings": four,
            "num_one_star_ratings": one,
            "num_ratings": n,
            "num_three_star_ratings": three,
            "num_two_star_ratings": two,
        }

    return {
        "num_reviews": count // 6,
        "overall_distribution": dist(average, count),
        "performance_distribution": dist(min(5.0, average + 0.1), int(count * 0.85)),
        "story_distribution": dist(average, int(count * 0.85)),
    }
