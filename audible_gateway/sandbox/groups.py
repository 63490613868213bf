"""Which library item keys each ``response_groups`` value brings, and projecting items by it.

The real ``GET /1.0/library`` answers with *every* item key (149 in the a2a sample) and sets
the keys of groups that were not requested to ``null``: a page asked for
``product_attrs,product_details`` has ``"title": null`` and ``"authors": null`` (real sample
``library_product_attrs_product_details.a2a.json``). The table below was read off the real
samples (which keys are non-null for which requested groups) and the group descriptions in
AUDIBLE_API.md section 1c. A key may come with several groups; a key listed in no group is
extra data the real API never fills, so it stays ``null`` unless an item file carries it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

ALWAYS = "always-returned"

# key -> the groups that bring it. Keys not named here are "unmapped" (see UNMAPPED_GROUP).
KEY_GROUPS: dict[str, tuple[str, ...]] = {
    # always-returned
    "asin": (ALWAYS,),
    "purchase_date": (ALWAYS,),
    "status": (ALWAYS,),
    "sku_lite": (ALWAYS,),
    "is_ayce": (ALWAYS,),
    "library_status": (ALWAYS,),  # sub-fields beyond date_added need library_status group
    # product_attrs
    "asset_details": ("product_attrs",),
    "available_codecs": ("product_attrs", "media"),
    "content_delivery_type": ("product_attrs",),
    "content_type": ("product_attrs",),
    "format_type": ("product_attrs", "media"),
    "has_children": ("product_attrs",),
    "is_adult_product": ("product_attrs",),
    "is_listenable": ("product_attrs",),
    "is_pdf_url_available": ("product_attrs", "pdf_url"),
    "is_purchasability_suppressed": ("product_attrs",),
    "is_removable_by_parent": ("product_attrs", "contributors"),
    "is_vvab": ("product_attrs",),
    "issue_date": ("product_attrs", "media"),
    "language": ("product_attrs",),
    "merchandising_description": ("product_attrs",),
    "merchandising_summary": ("product_attrs", "product_desc"),
    "publication_name": ("product_attrs", "media"),
    "read_along_support": ("product_attrs",),
    "release_date": ("product_attrs", "media"),
    "runtime_length_min": ("product_attrs", "media"),
    "sku": ("product_attrs", "sku"),
    "thesaurus_subject_keywords": ("product_attrs",),
    "episode_count": ("product_attrs",),
    "episode_number": ("product_attrs",),
    "episode_type": ("product_attrs",),
    "part_number": ("product_attrs",),
    "season_number": ("product_attrs",),
    # product_details (isbn lives here, often null)
    "isbn": ("product_details",),
    "copyright": ("product_details",),
    "date_first_available": ("product_details",),
    "extended_product_description": ("product_details", "product_extended_attrs"),
    "platinum_keywords": ("product_details",),
    "product_site_launch_date": ("product_details",),
    "publication_datetime": ("product_details",),
    # product_desc / media
    "title": ("product_desc", "media"),
    "subtitle": ("product_desc", "media"),
    "publisher_summary": ("product_desc",),
    "product_images": ("media",),
    "social_media_images": ("media",),
    "image_url": ("media",),
    # contributors
    "authors": ("contributors",),
    "narrators": ("contributors",),
    "publisher_name": ("contributors",),
    # series, rating, reviews
    "series": ("series",),
    "rating": ("rating",),
    "customer_reviews": ("reviews",),
    "provided_review": ("provided_review",),
    "review_status": ("review_attrs",),
    "editorial_reviews": ("product_extended_attrs",),
    "audible_editors_summary": ("product_extended_attrs",),
    "category_ladders": ("category_ladders", "categories"),
    # progress: only when asked (Audible#17: is_finished is null without its group)
    "is_finished": ("is_finished",),
    "percent_complete": ("percent_complete",),
    "listening_status": ("listening_status",),
    # provenance
    "origin_asin": ("origin_asin", "origin"),
    "origin_id": ("origin", "origin_asin", "percent_complete", "customer_rights", "badge_types"),
    "origin_marketplace": (
        "origin",
        "origin_asin",
        "percent_complete",
        "customer_rights",
        "badge_types",
    ),
    "origin_type": ("origin", "origin_asin", "percent_complete", "customer_rights", "badge_types"),
    "plans": ("product_plans", "product_plan_details", "percent_complete", "origin_asin"),
    "customer_rights": ("customer_rights",),
    "badge_types": ("badge_types",),
    "benefit_id": ("product_plan_details",),
    # per-title flags
    "is_downloaded": ("is_downloaded",),
    "is_pending": ("is_downloaded", "listening_status", "library_status"),
    "is_removable": ("is_removable", "customer_rights"),
    "is_returnable": ("is_returnable",),
    "is_visible": ("is_visible", "library_status"),
    "is_archived": ("is_archived",),
    "is_playable": ("is_playable",),
    "is_in_wishlist": ("in_wishlist",),
    "pdf_url": ("pdf_url",),
    "relationships": ("relationships",),
    "sample_url": ("sample",),
    "claim_code_url": ("claim_code_url",),
    "order_id": ("order_details",),
    "order_item_id": ("order_details",),
    "periodical_info": ("periodicals",),
    "price": ("price",),
    "is_shared": ("shared",),
    "shared_with": ("shared",),
    "shared_states": ("shared",),
    "shared_with_identity_directed_ids": ("shared",),
    "profile_sharing": ("profile_sharing",),
    "ws4v_companion_asin": ("ws4v",),
    "ws4v_details": ("ws4v",),
    "is_ws4v_companion_asin_owned": ("ws4v",),
    "is_ws4v_enabled": ("ws4v",),
}

# The 149 keys of a real item, in the order the API sends them (alphabetical).
ITEM_KEYS: tuple[str, ...] = (
    "accolades",
    "amazon_asin",
    "asin",
    "asin_trends",
    "asset_badges",
    "asset_details",
    "audible_editors_summary",
    "author_pages",
    "authors",
    "availability",
    "available_codecs",
    "badge_types",
    "badges",
    "benefit_id",
    "book_tags",
    "buying_options",
    "category_ladders",
    "chart_ranks",
    "claim_code_url",
    "collection_ids",
    "content_delivery_type",
    "content_level",
    "content_rating",
    "content_type",
    "continuity",
    "copyright",
    "credits_required",
    "customer_reviews",
    "customer_rights",
    "date_first_available",
    "destination_asin",
    "distribution_rights_region",
    "editorial_reviews",
    "episode_count",
    "episode_number",
    "episode_type",
    "extended_product_description",
    "format_type",
    "generic_keyword",
    "goodreads_ratings",
    "has_children",
    "image_url",
    "invites_remaining",
    "is_adult_product",
    "is_archived",
    "is_ayce",
    "is_buyable",
    "is_downloaded",
    "is_finished",
    "is_getting_latest_episodes",
    "is_in_wishlist",
    "is_listenable",
    "is_pdf_url_available",
    "is_pending",
    "is_playable",
    "is_preorderable",
    "is_prereleased",
    "is_purchasability_suppressed",
    "is_released",
    "is_removable",
    "is_removable_by_parent",
    "is_returnable",
    "is_searchable",
    "is_shared",
    "is_visible",
    "is_vvab",
    "is_world_rights",
    "is_ws4v_companion_asin_owned",
    "is_ws4v_enabled",
    "isbn",
    "issue_date",
    "language",
    "library_status",
    "library_status_badges",
    "listening_status",
    "long_tail_topic_tags",
    "member_giving_status",
    "merchandising_description",
    "merchandising_summary",
    "music_id",
    "narration_accent",
    "narrators",
    "new_episode_added_date",
    "order_id",
    "order_item_id",
    "origin_asin",
    "origin_id",
    "origin_marketplace",
    "origin_type",
    "part_number",
    "participation_plans",
    "pdf_url",
    "percent_complete",
    "performance_summary",
    "periodical_info",
    "plans",
    "platinum_keywords",
    "preorder_release_date",
    "preorder_status",
    "price",
    "product_images",
    "product_page_url",
    "product_site_launch_date",
    "product_state",
    "profile_sharing",
    "program_participation",
    "provided_review",
    "publication_datetime",
    "publication_name",
    "publisher_name",
    "publisher_summary",
    "purchase_date",
    "rating",
    "read_along_support",
    "reasons_for_reporting_review",
    "relationships",
    "release_date",
    "revenue_allocation_id",
    "review_keywords",
    "review_status",
    "review_summary",
    "rich_images",
    "right_type",
    "runtime_length_min",
    "sample_url",
    "season_number",
    "selected_sort_option_for_reviews",
    "series",
    "shared_states",
    "shared_with",
    "shared_with_identity_directed_ids",
    "short_description",
    "sku",
    "sku_lite",
    "social_media_images",
    "sort_options_for_reviews",
    "spotlight_tags",
    "status",
    "story_summary",
    "subscription_asins",
    "subtitle",
    "tags",
    "text_to_speech",
    "thesaurus_subject_keywords",
    "title",
    "video_url",
    "voice_description",
    "ws4v_companion_asin",
    "ws4v_details",
)

# Keys an item file carries that the table does not know come back with this group.
UNMAPPED_GROUP = "product_extended_attrs"

KNOWN_GROUPS: frozenset[str] = frozenset(g for groups in KEY_GROUPS.values() for g in groups) | {
    "sku",
    "ws4v",
    "is_visible",
    UNMAPPED_GROUP,
}

_SPLIT = re.compile(r"[,\s+]+")


def parse_groups(raw: str | None) -> frozenset[str]:
    """``response_groups`` as sent (commas, spaces or ``+``) -> the set of group names.

    ``always-returned`` is always part of the answer, asked for or not.
    """
    names = {part for part in _SPLIT.split(raw or "") if part}
    return frozenset(names | {ALWAYS})


def reported_groups(groups: Iterable[str]) -> list[str]:
    """The ``response_groups`` list echoed in the answer: ``always-returned`` first."""
    return [ALWAYS, *sorted(g for g in groups if g != ALWAYS)]


def _key_wanted(key: str, groups: frozenset[str]) -> bool:
    return any(g in groups for g in KEY_GROUPS.get(key, (UNMAPPED_GROUP,)))


def projector(groups: frozenset[str], extra_keys: Iterable[str] = ()) -> ItemProjector:
    """Build the projection for one set of groups (cheap; cache it per group set)."""
    return ItemProjector(groups, extra_keys)


class ItemProjector:
    """Turns a stored (full) item into what the API answers for one set of groups."""

    def __init__(self, groups: frozenset[str], extra_keys: Iterable[str] = ()) -> None:
        self.groups = groups
        self.keys = tuple(sorted(set(ITEM_KEYS) | set(extra_keys)))
        self.wanted = tuple(k for k in self.keys if _key_wanted(k, groups))
        self.full_library_status = bool({"library_status", "customer_rights"} & groups)

    def project(self, item: dict[str, Any]) -> dict[str, Any]:
        out = dict.fromkeys(self.keys)
        get = item.get
        for key in self.wanted:
            out[key] = get(key)
        status = item.get("library_status")
        if isinstance(status, dict) and not self.full_library_status:
            out["library_status"] = {
                "date_added": status.get("date_added"),
                "is_pending": None,
                "is_preordered": None,
                "is_removable": None,
                "is_visible": None,
            }
        return out
