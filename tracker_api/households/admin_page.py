"""The admin's household page (``/admin/households/household/``): one page for every member.

The owner makes the household, invites people, maps collections and chooses how unrouted
titles go; an invited person accepts or declines there; every member claims titles, adds
their own rules, answers "whose is this?" and sees where their titles went and why. Each form
posts to the page and calls the same functions as ``/api/household`` (the rules live in
``membership`` and ``sync``); a refusal is shown as the error's sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.urls import reverse

from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.pages.common import context
from tracker_api.audible_sync.pages.common import person_page
from tracker_api.households import membership
from tracker_api.households import reassign
from tracker_api.households import sync as household_sync
from tracker_api.households.membership import HouseholdError
from tracker_api.households.membership import refused
from tracker_api.households.models import CollectionRoute
from tracker_api.households.models import Household
from tracker_api.households.models import Invitation
from tracker_api.households.models import InvitationStatus
from tracker_api.households.models import PersonRule
from tracker_api.households.models import QuestionStatus
from tracker_api.households.models import RuleKind
from tracker_api.households.models import TitleRoute
from tracker_api.households.models import Unrouted
from tracker_api.households.models import WhoseQuestion

URL_NAME = "households_household"
TEMPLATE = "admin/households/household.html"


class TextForm(forms.Form):
    text = forms.CharField(max_length=300)


class PersonForm(forms.Form):
    person = forms.IntegerField()


def _text(request: HttpRequest, name: str) -> str:
    return (request.POST.get(name) or "").strip()


def _number(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name) or "")
    except ValueError:
        raise refused("household_not_member", "Choose a member.", 400) from None


def _need(household: Household | None) -> Household:
    if household is None:
        raise refused("household_none", "You are not in a household.", 404)
    return household


def _create(request: HttpRequest, household: Household | None, me: Any) -> str:
    membership.create_household(me, name=_text(request, "name"))
    return "Your Audible connection is now a household."


def _invite(request: HttpRequest, household: Household | None, me: Any) -> str:
    invitee = get_user_model().objects.filter(username=_text(request, "username")).first()
    if invitee is None:
        raise refused("household_no_such_person", "There is no such person.", 404)
    membership.invite(_need(household), invitee, by=me)
    return f"{invitee.username} is invited."


def _answer_invitation(request: HttpRequest, me: Any, *, accept: bool) -> str:
    invitation = Invitation.objects.filter(
        pk=_number(request, "invitation"), invitee=me, status=InvitationStatus.PENDING
    ).first()
    if invitation is None:
        raise refused("household_invitation_answered", "This invitation was answered.")
    if accept:
        membership.accept(invitation, by=me)
        return "You joined the household."
    membership.decline(invitation, by=me)
    return "You declined the invitation."


def _leave(request: HttpRequest, household: Household | None, me: Any) -> str:
    membership.leave(_need(household), me.pk, by=me)
    return "You left the household; your books, reads and history stay yours."


def _map_collection(request: HttpRequest, household: Household | None, me: Any) -> str:
    household = _need(household)
    if me.pk != household.owner_id:
        raise refused("household_not_owner", "Only the owner maps collections.", 403)
    person = _number(request, "person")
    if not membership.is_member(household, person):
        raise refused("household_not_member", "Choose a member.", 400)
    name = _text(request, "collection_name")
    if not name:
        raise refused("household_not_member", "Give the collection's name.", 400)
    CollectionRoute.objects.create(household=household, collection_name=name, person_id=person)
    return f'The collection "{name}" is mapped.'


def _add_rule(request: HttpRequest, household: Household | None, me: Any) -> str:
    household = _need(household)
    kind, value = _text(request, "kind"), _text(request, "value")
    person = _number(request, "person") if request.POST.get("person") else me.pk
    if kind not in RuleKind.values or not value:
        raise refused("household_not_member", "Choose a kind and give a value.", 400)
    if person != me.pk and me.pk != household.owner_id:
        raise refused("household_not_owner", "You can add rules for yourself only.", 403)
    if not membership.is_member(household, person):
        raise refused("household_not_member", "Choose a member.", 400)
    if household.rules.filter(kind=kind, value__iexact=value).exists():
        raise refused("household_rule_exists", "A rule for that already exists.")
    PersonRule.objects.create(household=household, person_id=person, kind=kind, value=value)
    return f"Rule added: {kind} {value}."


def _assign(request: HttpRequest, household: Household | None, me: Any) -> str:
    person = _number(request, "person") if request.POST.get("person") else me.pk
    household_sync.assign(_need(household), _text(request, "asin"), person, by=me)
    return "The title is assigned; the next sync sends its progress there."


def _answer(request: HttpRequest, household: Household | None, me: Any) -> str:
    household = _need(household)
    question = WhoseQuestion.objects.filter(
        pk=_number(request, "question"), household=household
    ).first()
    if question is None:
        raise refused("household_question_answered", "This was answered.")
    household_sync.answer_question(question, _number(request, "person"), by=me)
    return "Answered; the next sync sends the title there."


def _unrouted(request: HttpRequest, household: Household | None, me: Any) -> str:
    household = _need(household)
    if me.pk != household.owner_id:
        raise refused("household_not_owner", "Only the owner changes this.", 403)
    choice = _text(request, "unrouted")
    if choice not in Unrouted.values:
        raise refused("household_not_member", "Choose one of the options.", 400)
    household.unrouted = choice
    household.save(update_fields=["unrouted"])
    return "Saved."


def _move(request: HttpRequest, household: Household | None, me: Any) -> str:
    move = reassign.move_progress(_need(household), _text(request, "asin"), by=me)
    if move.outcome == "moved":
        return "The progress is moved: the new person has it, and it is undone here."
    kept = move.why.split(" Kept for ", 1)[-1].split(": ", 1)[-1]
    return f"The progress is copied to the new person and kept here too: {kept}"


ACTIONS: dict[str, Callable[[HttpRequest, Household | None, Any], str]] = {
    "create": _create,
    "invite": _invite,
    "accept": lambda r, h, me: _answer_invitation(r, me, accept=True),
    "decline": lambda r, h, me: _answer_invitation(r, me, accept=False),
    "leave": _leave,
    "map_collection": _map_collection,
    "add_rule": _add_rule,
    "assign": _assign,
    "answer": _answer,
    "unrouted": _unrouted,
    "move_progress": _move,
}


def _titles(user_id: int, asins: list[str]) -> dict[str, str]:
    """Titles of the viewer's own ASINs (another member's stay an ASIN): from their mappings,
    else from their conflicts, so a title waiting for a decision is not shown as a code."""
    rows = AudibleBookMapping.objects.filter(user_id=user_id, asin__in=asins)
    titles = {
        asin: title for asin, item in rows.values_list("asin", "item") if (title := _title(item))
    }
    waiting = [asin for asin in asins if asin not in titles]
    if waiting:
        conflicts = AudibleConflict.objects.filter(user_id=user_id, asin__in=waiting)
        for asin, item in conflicts.order_by("-created_at").values_list("asin", "item"):
            titles.setdefault(asin, _title(item) or asin)
    return titles


def _title(item: object) -> str:
    return str(item.get("title") or "") if isinstance(item, dict) else ""


def household_page(site: AdminSite, request: HttpRequest) -> HttpResponse:
    me: Any = request.user  # a signed-in person (person_page checked it)
    household = membership.household_of(me.pk)
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action") or "")
        if action is None:
            messages.error(request, "Unknown action.")
        else:
            try:
                messages.success(request, action(request, household, me))
            except HouseholdError as exc:
                messages.error(request, exc.message)
        return HttpResponseRedirect(reverse(f"{site.name}:{URL_NAME}"))
    extra: dict[str, Any] = {
        "household": household,
        "invitations": Invitation.objects.filter(
            invitee=me, status=InvitationStatus.PENDING
        ).select_related("household__connection__user", "invited_by"),
        "rule_kinds": RuleKind.choices,
        "unrouted_choices": Unrouted.choices,
    }
    if household is not None:
        ids = membership.member_ids(household)
        names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
        owner = me.pk == household.owner_id
        routes = TitleRoute.objects.filter(household=household).order_by("asin")
        if not owner:
            routes = routes.filter(person=me)
        routes_list = list(routes[:2000])
        titles = _titles(me.pk, [r.asin for r in routes_list])
        extra.update(
            owner=owner,
            members=[
                {"id": i, "username": names.get(i, ""), "owner": i == household.owner_id}
                for i in ids
            ],
            routes=[
                {
                    "asin": r.asin,
                    "title": titles.get(r.asin, r.asin),
                    "person": names.get(r.person_id or 0, "nobody yet"),
                    "reason": r.get_reason_display(),
                    "detail": r.detail,
                }
                for r in routes_list
            ],
            questions=household.questions.filter(status=QuestionStatus.OPEN).order_by("id")[:200],
            collections=household.collection_routes.all() if owner else [],
            rules=household.rules.all() if owner else household.rules.filter(person=me),
            sent=household.invitations.filter(status=InvitationStatus.PENDING) if owner else [],
            offers=[
                {
                    "asin": o.route.asin,
                    "title": o.title if o.route.previous_person_id == me.pk else o.route.asin,
                    "from": names.get(o.route.previous_person_id or 0, "someone who left"),
                    "to": names.get(o.route.person_id or 0, ""),
                    "reads": o.reads,
                    "history": o.history,
                    "ready": o.ready,
                }
                for o in reassign.offers(household, me.pk)
            ],
        )
    return TemplateResponse(request, TEMPLATE, context(site, request, "Household", **extra))


def install(site: AdminSite) -> None:
    """Add the page to ``site`` (once)."""
    if getattr(site, "_household_page_installed", False):
        return
    site_urls = site.get_urls
    view = person_page(site, household_page, change=False)

    def get_urls() -> list[Any]:
        return [path("households/household/", view, name=URL_NAME), *site_urls()]

    site.get_urls = get_urls  # type: ignore[method-assign]
    site._household_page_installed = True  # type: ignore[attr-defined]
