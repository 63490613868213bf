"""A household's sync: one library fetch, routed title by title, applied person by person.

The sync service calls two hooks:

* :func:`prepare` after the library is fetched and before the apply transaction: for a
  connection with a household that maps collections, it reads the collections through the
  gateway (a network call, so outside the transaction). A failure there is not the sync's
  failure: routes by collection are kept as they were (see ``routing``) and the log says so.
* :func:`apply` inside the apply transaction: decides every title (``routing.decide``),
  stores each decision with its reason (``TitleRoute``, only when it changed), opens a
  "whose is this?" question for titles nobody gets, then applies each person's titles to
  their own tracker with the single-person applier (matching, conflicts, reads, history and
  their own import policy, as today). The owner's part goes into the run's own log row; every
  other member gets a log row of their own for the same run, so each sees only their titles.

Without a household both hooks do what a single-person sync always did.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.audible_sync.sync.apply import ApplyResult
from tracker_api.audible_sync.sync.apply import apply_library
from tracker_api.audible_sync.sync.fetch import Library
from tracker_api.households import membership
from tracker_api.households import routing
from tracker_api.households.models import Assignment
from tracker_api.households.models import Household
from tracker_api.households.models import PersonRule
from tracker_api.households.models import QuestionStatus
from tracker_api.households.models import RouteReason
from tracker_api.households.models import TitleRoute
from tracker_api.households.models import Unrouted
from tracker_api.households.models import WhoseQuestion

log = logging.getLogger("tracker_api.households")

COLLECTIONS_UNAVAILABLE = (
    "Audible's collections could not be read; titles routed by a collection stayed with "
    "the person they went to last time."
)


@dataclass
class Prepared:
    """What :func:`prepare` learned for :func:`apply`: the household and its collections."""

    household: Household
    collections: list[dict[str, Any]] | None  # None: could not be read this sync
    audible_requests: int = 0
    problem: str = ""


def household_for(config: AudibleConfig) -> Household | None:
    return Household.objects.filter(connection_id=config.pk).first()


def prepare(
    config: AudibleConfig, library: Library, *, persist_auth: bool = True
) -> Prepared | None:
    """Read the collections when the household routes by them (outside any transaction)."""
    if membership.seat_of(config) is None:  # no household: a single-person sync, no query
        return None
    household = household_for(config)
    if household is None:
        return None
    if library.source != "gateway" or not household.collection_routes.exists():
        return Prepared(household, [] if library.source == "gateway" else None)
    try:
        answer = gateway.fetch_collections(config.sealed_auth)
    except gateway.GatewayCallError as exc:
        log.warning("collections of connection %s unavailable: %s", config.pk, exc.code)
        return Prepared(household, None, problem=COLLECTIONS_UNAVAILABLE)
    if answer.new_auth and persist_auth and answer.new_auth != config.sealed_auth:
        AudibleConfig.objects.filter(pk=config.pk).update(sealed_auth=answer.new_auth)
        config.sealed_auth = answer.new_auth
    return Prepared(household, answer.collections, answer.audible_requests or 0)


def _collection_routes(prepared: Prepared) -> dict[str, int]:
    """Mapped collection id -> person. A route matches its collection by id, else by name
    (case-blind): a route made by name, or a collection deleted and made again under the
    same name, takes the id it has now."""
    routes = list(prepared.household.collection_routes.all())
    current = prepared.collections or []
    ids = {c["collection_id"] for c in current}
    by_name: dict[str, str] = {}
    for collection in current:
        by_name.setdefault(
            routing.fold_case_and_spaces(collection["name"]), collection["collection_id"]
        )
    found: dict[str, int] = {}
    for route in routes:
        ident = route.collection_id if route.collection_id in ids else ""
        if not ident and route.collection_name:
            ident = by_name.get(routing.fold_case_and_spaces(route.collection_name), "")
            taken = ident and any(r.collection_id == ident for r in routes if r is not route)
            if ident and not taken and ident != route.collection_id:
                route.collection_id = ident
                route.save(update_fields=["collection_id"])
        if ident and ident not in found:
            found[ident] = route.person_id
    return found


def _inputs(prepared: Prepared) -> routing.Inputs:
    household = prepared.household
    members = set(membership.member_ids(household))
    default = household.default_person_id
    collections = None
    if prepared.collections is not None:
        collections = routing.collection_map(
            prepared.collections, _collection_routes(prepared), members
        )
    return routing.Inputs(
        members=members,
        default_person=default if default in members else household.owner_id,
        ask=household.unrouted == Unrouted.ASK,
        assignments=dict(household.assignments.values_list("asin", "person_id")),
        collections=collections,
        rules=[
            routing.Rule(r.kind, r.value, r.person_id)
            for r in PersonRule.objects.filter(household=household).order_by("id")
        ],
        previous={
            r.asin: routing.Decision(r.person_id, r.reason, r.detail)
            for r in TitleRoute.objects.filter(household=household)
        },
    )


def _store(
    household: Household,
    decisions: dict[str, routing.Decision],
    inputs: routing.Inputs,
    now: datetime,
) -> None:
    """Write the decisions that changed; open a question for each title nobody gets.

    ``inputs.previous`` already holds every stored route, so only the rows that change are
    loaded again (to update them): an unchanged sync writes and re-reads nothing.
    """
    new, moved = [], {}
    for asin, decision in decisions.items():
        decision = routing.Decision(decision.person_id, decision.reason, decision.detail[:300])
        before = inputs.previous.get(asin)
        if before is None:
            new.append(
                TitleRoute(
                    household=household,
                    asin=asin,
                    person_id=decision.person_id,
                    reason=decision.reason,
                    detail=decision.detail,
                    decided_at=now,
                )
            )
        elif before != decision:
            moved[asin] = decision
    changed = list(TitleRoute.objects.filter(household=household, asin__in=moved)) if moved else []
    for row in changed:
        decision = moved[row.asin]
        if row.person_id != decision.person_id:
            row.previous_person_id = row.person_id
        row.person_id, row.reason, row.detail = (
            decision.person_id,
            decision.reason,
            decision.detail,
        )
        row.decided_at = now
    TitleRoute.objects.bulk_create(new, batch_size=1000)
    TitleRoute.objects.bulk_update(
        changed, ["person", "reason", "detail", "previous_person", "decided_at"], batch_size=1000
    )


def _ask(household: Household, items: list[dict[str, Any]]) -> None:
    """One open question per title nobody gets (kept current with the latest item)."""
    if not items:
        return
    open_ = {
        q.asin: q
        for q in WhoseQuestion.objects.filter(
            household=household, status=QuestionStatus.OPEN, asin__in=[i["asin"] for i in items]
        )
    }
    for item in items:
        question = open_.get(item["asin"])
        if question is None:
            WhoseQuestion.objects.create(household=household, asin=item["asin"], item=item)
        elif question.item != item:
            question.item = item
            question.save(update_fields=["item"])


def _member_config(user_id: int) -> AudibleConfig:
    return AudibleConfig.objects.get_or_create(user_id=user_id)[0]


def apply(
    config: AudibleConfig,
    library: Library,
    prepared: Prepared | None,
    *,
    sync_log: AudibleSyncLog,
    now: datetime,
    on_item: Callable[[int], None] | None = None,
    finish: Callable[..., None],
    announce: Callable[..., None],
    dry_run: bool = False,
) -> ApplyResult:
    """Apply ``library`` for the connection's people; the owner's result is returned.

    ``finish``/``announce`` are the service's own log-finishing and signal functions, so a
    member's row ends exactly like a single-person run's row.
    """
    if prepared is None:
        return apply_library(config, library, sync_log=sync_log, now=now, on_item=on_item)
    household = prepared.household
    inputs = _inputs(prepared)
    decisions: dict[str, routing.Decision] = {}
    parts: dict[int, list[dict[str, Any]]] = {person: [] for person in inputs.members}
    asked: list[dict[str, Any]] = []
    for item in library.items:
        if not isinstance(item, dict) or not isinstance(item.get("asin"), str):
            parts[household.owner_id].append(item)  # unreadable: the owner's run reports it
            continue
        decision = routing.decide(item, inputs)
        decisions[item["asin"]] = decision
        if decision.person_id is None:
            asked.append(item)
        else:
            parts[decision.person_id].append(item)
    _store(household, decisions, inputs, now)
    _ask(household, asked)
    errors = list(library.errors)
    if prepared.problem:
        errors.append({"asin": None, "message": prepared.problem})
    done = 0

    def counted(n: int) -> None:
        if on_item is not None:
            on_item(done + n)

    owner_result: ApplyResult | None = None
    for person in [household.owner_id, *(p for p in parts if p != household.owner_id)]:
        mine = parts.get(person, [])
        own = {i["asin"] for i in mine if isinstance(i, dict) and "asin" in i}
        part = replace(
            library,
            items=mine,
            errors=errors if person == household.owner_id else [],
            elsewhere=frozenset(decisions) - own,
        )
        if person == household.owner_id:
            owner_result = apply_library(config, part, sync_log=sync_log, now=now, on_item=counted)
        else:
            _apply_member(
                person,
                part,
                sync_log,
                now=now,
                on_item=counted,
                finish=finish,
                announce=announce,
                dry_run=dry_run,
            )
        done += len(mine)
    if owner_result is None:  # the owner is always a member: their part is always applied
        raise RuntimeError("the household's owner is not among its members")
    return owner_result


def _apply_member(
    person: int,
    part: Library,
    sync_log: AudibleSyncLog,
    *,
    now: datetime,
    on_item: Callable[[int], None],
    finish: Callable[..., None],
    announce: Callable[..., None],
    dry_run: bool,
) -> None:
    clock = time.monotonic()
    member_config = _member_config(person)
    row = AudibleSyncLog.objects.create(
        user_id=person, trigger=sync_log.trigger, status=SyncStatus.RUNNING, dry_run=dry_run
    )
    result = apply_library(member_config, part, sync_log=row, now=now, on_item=on_item)
    status = SyncStatus.PARTIAL if result.errors else SyncStatus.OK
    finish(row, clock, status, result=result)
    announce(member_config, row, result=result, dry_run=dry_run)


def answer_question(question: WhoseQuestion, person_id: int, *, by: Any) -> Assignment:
    """Answer "whose is this?" once: the answer becomes an assignment (never asked again)."""
    household = question.household
    if not membership.is_member(household, by.pk):
        raise membership.refused(
            "household_not_member", "Only members of the household can answer.", 403
        )
    if not membership.is_member(household, person_id):
        raise membership.refused(
            "household_not_member", "The answer must be a member of the household.", 400
        )
    if question.status != QuestionStatus.OPEN:
        raise membership.refused("household_question_answered", "This was answered.")
    assignment = _assign(household, question.asin, person_id, by=by)
    question.status = QuestionStatus.ANSWERED
    question.answer_id = person_id
    question.answered_by = by
    question.answered_at = timezone.now()
    question.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    return assignment


def assign(household: Household, asin: str, person_id: int, *, by: Any) -> Assignment:
    """An explicit assignment: a member claims a title (the owner may give it to anyone)."""
    if by.pk != household.owner_id and person_id != by.pk:
        raise membership.refused(
            "household_not_owner", "You can assign titles to yourself only.", 403
        )
    if not membership.is_member(household, person_id):
        raise membership.refused(
            "household_not_member", "Titles go to members of the household only.", 400
        )
    return _assign(household, asin, person_id, by=by)


def _assign(household: Household, asin: str, person_id: int, *, by: Any) -> Assignment:
    assignment, _ = Assignment.objects.update_or_create(
        household=household, asin=asin, defaults={"person_id": person_id, "assigned_by": by}
    )
    WhoseQuestion.objects.filter(
        Q(household=household, asin=asin, status=QuestionStatus.OPEN)
    ).update(
        status=QuestionStatus.ANSWERED,
        answer_id=person_id,
        answered_by=by,
        answered_at=timezone.now(),
    )
    return assignment


__all__ = ["Prepared", "RouteReason", "answer_question", "apply", "assign", "prepare"]
