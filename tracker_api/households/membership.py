"""Who belongs to a household, and how people join and leave.

The rules, in one place (the admin and the REST API both call these):

* a household is made by the owner of an Audible connection, who is its first member;
* only the owner invites, and only an existing person who is in no household;
* only the invited person accepts or declines; a person whose own Audible account is
  connected must disconnect it first (their listening would otherwise come from two places);
* a member leaves whenever they like and keeps every read and every history row; the owner
  cannot leave (the connection is theirs) but can remove a member.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import OuterRef
from django.db.models import QuerySet
from django.db.models import Subquery
from django.utils import timezone

from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.core.service_errors import ServiceError
from tracker_api.households.models import Household
from tracker_api.households.models import Invitation
from tracker_api.households.models import InvitationStatus
from tracker_api.households.models import Membership


class HouseholdError(ServiceError):
    """A household rule said no: rendered as the one JSON error shape by the API's handler,
    shown as its message by the admin page. Free of DRF, so the sync path imports it cheaply."""

    status = 409


def refused(code: str, message: str, status_code: int = 409) -> HouseholdError:
    """A household rule said no; ``code`` is stable, the message is for people."""
    return HouseholdError(message, code=code, status=status_code)


def active_membership(user_id: int) -> Membership | None:
    return (
        Membership.objects.select_related("household__connection")
        .filter(user_id=user_id, left_at__isnull=True)
        .first()
    )


def household_of(user_id: int) -> Household | None:
    membership = active_membership(user_id)
    return membership.household if membership is not None else None


def member_ids(household: Household) -> list[int]:
    """The active members, owner first, then in the order they joined."""
    ids = list(
        household.memberships.filter(left_at__isnull=True)
        .order_by("joined_at", "id")
        .values_list("user_id", flat=True)
    )
    owner = household.owner_id
    return [owner, *[i for i in ids if i != owner]] if owner in ids else ids


def is_member(household: Household, user_id: int) -> bool:
    return household.memberships.filter(user_id=user_id, left_at__isnull=True).exists()


def create_household(owner: Any, *, name: str = "") -> Household:
    """The owner's connection becomes a household with the owner as its first member."""
    with transaction.atomic():
        if active_membership(owner.pk) is not None:
            raise refused("household_already_member", "You are already in a household.")
        config, _ = AudibleConfig.objects.get_or_create(user=owner)
        household = Household.objects.create(connection=config, name=name)
        Membership.objects.create(household=household, user=owner, invited_by=owner)
    return household


def invite(household: Household, invitee: Any, *, by: Any) -> Invitation:
    if by.pk != household.owner_id:
        raise refused(
            "household_not_owner",
            "Only the owner of the household's Audible connection can invite people.",
            403,
        )
    if invitee.pk == by.pk or active_membership(invitee.pk) is not None:
        raise refused("household_already_member", f"{invitee} is already in a household.")
    invitation, _ = Invitation.objects.get_or_create(
        household=household,
        invitee=invitee,
        status=InvitationStatus.PENDING,
        defaults={"invited_by": by},
    )
    return invitation


def _answerable(invitation: Invitation, by: Any) -> None:
    if invitation.invitee_id != by.pk:
        raise refused(
            "household_not_invitee",
            "Only the invited person can answer this invitation.",
            403,
        )
    if invitation.status != InvitationStatus.PENDING:
        raise refused("household_invitation_answered", "This invitation was answered.")


def accept(invitation: Invitation, *, by: Any) -> Membership:
    """The invited person joins; their own (unconnected) settings stay theirs."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _answerable(invitation, by)
        if active_membership(by.pk) is not None:
            raise refused("household_already_member", "You are already in a household.")
        own = AudibleConfig.objects.filter(user=by).first()
        if own is not None and own.is_connected:
            raise refused(
                "household_own_connection",
                "Your own Audible account is connected; disconnect it before joining a "
                "household, so your listening comes from one place.",
            )
        AudibleConfig.objects.get_or_create(user=by)  # import policy, podcasts: per person
        membership = Membership.objects.create(
            household=invitation.household, user=by, invited_by=invitation.invited_by
        )
        invitation.status = InvitationStatus.ACCEPTED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
    return membership


def decline(invitation: Invitation, *, by: Any) -> Invitation:
    _answerable(invitation, by)
    invitation.status = InvitationStatus.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation


def leave(household: Household, user_id: int, *, by: Any) -> Membership:
    """A member leaves (or the owner removes them). Their reads and history stay theirs;
    titles routed to them go elsewhere from the next sync on."""
    if user_id == household.owner_id:
        raise refused(
            "household_owner_stays",
            "The owner of the connection cannot leave its household; remove the others "
            "or disconnect instead.",
        )
    if by.pk not in (user_id, household.owner_id):
        raise refused(
            "household_not_owner",
            "Only the member or the owner can end a membership.",
            403,
        )
    membership = household.memberships.filter(user_id=user_id, left_at__isnull=True).first()
    if membership is None:
        raise refused(
            "household_not_member",
            "That person is not in this household.",
            404,
        )
    membership.left_at = timezone.now()
    membership.save(update_fields=["left_at"])
    return membership


SEAT = "household_seat"


def with_seat(configs: QuerySet[AudibleConfig]) -> QuerySet[AudibleConfig]:
    """Configs annotated with the connection of their person's household (or None), so the
    sync learns it in the query it already makes: a single-person install pays nothing."""
    seats = Membership.objects.filter(user_id=OuterRef("user_id"), left_at__isnull=True)
    return configs.annotate(**{SEAT: Subquery(seats.values("household__connection_id")[:1])})


def seat_of(config: AudibleConfig) -> int | None:
    """The id of the household connection ``config``'s person sits on, or None."""
    if hasattr(config, SEAT):
        return getattr(config, SEAT)
    membership = active_membership(config.user_id)
    return membership.household.connection_id if membership is not None else None


def connection_for(config: AudibleConfig) -> AudibleConfig | None:
    """The connection a member's syncs use (lock, limits, schedule): the household's, for a
    member who is not its owner; None for everyone else (they use their own, as before)."""
    seat = seat_of(config)
    if seat is None or seat == config.pk:
        return None
    shared = AudibleConfig.objects.get(pk=seat)
    setattr(shared, SEAT, seat)
    return shared
