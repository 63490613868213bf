"""A household's tables: who shares a connection, and which person each title goes to.

The connection itself stays the owner's ``AudibleConfig`` (sealed blob, limits, lock,
schedule); a household only adds people to it. Every routing decision is a ``TitleRoute`` row
with its reason, so "why is this title in Sam's tracker?" always has an answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker_api.audible_sync.models import AudibleConfig


class Unrouted(models.TextChoices):
    DEFAULT = "default", "Give it to the default person"
    ASK = "ask", 'Ask "whose is this?"'


class Household(models.Model):
    """The people of one Audible connection. The connection's owner is its first member."""

    connection = models.OneToOneField(
        AudibleConfig, on_delete=models.CASCADE, related_name="household"
    )
    name = models.CharField(max_length=100, blank=True, default="")
    default_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who gets a title nothing else routes; empty means the owner.",
    )
    unrouted = models.CharField(max_length=10, choices=Unrouted.choices, default=Unrouted.DEFAULT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "household"
        constraints = [
            models.CheckConstraint(
                condition=Q(unrouted__in=Unrouted.values), name="household_unrouted_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"Household of {self.connection.user}"

    @property
    def owner_id(self) -> int:
        return self.connection.user_id


class Membership(models.Model):
    """A person's seat in a household; ``left_at`` set when they leave (rows are kept)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_memberships"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "household_membership"
        ordering = ["household", "joined_at", "id"]
        constraints = [
            # One household at a time: a person's listening comes from one connection.
            models.UniqueConstraint(
                fields=["user"], condition=Q(left_at__isnull=True), name="household_one_seat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.household}"

    @property
    def active(self) -> bool:
        return self.left_at is None


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Invitation(models.Model):
    """The owner asks a person to join; only the invited person can accept or decline."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "household_invitation"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "invitee"],
                condition=Q(status="pending"),
                name="household_one_pending_invitation",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values),
                name="household_invitation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitee} invited to {self.household} ({self.status})"


class Assignment(models.Model):
    """A person's explicit claim on one title: the strongest routing reason."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assignments")
    asin = models.CharField(max_length=20)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "household_assignment"
        constraints = [
            models.UniqueConstraint(fields=["household", "asin"], name="household_one_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.asin} -> {self.person}"


class CollectionRoute(models.Model):
    """An Audible collection whose titles go to one person (e.g. the collection "Sam")."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="collection_routes"
    )
    collection_id = models.CharField(max_length=100)
    collection_name = models.CharField(max_length=200, blank=True, default="")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "household_collection_route"
        ordering = ["household", "id"]
        constraints = [
            # A route made by name has no id until a sync sees the collection.
            models.UniqueConstraint(
                fields=["household", "collection_id"],
                condition=~Q(collection_id=""),
                name="household_one_route_per_collection",
            )
        ]

    def __str__(self) -> str:
        return f"collection {self.collection_name or self.collection_id} -> {self.person}"


class RuleKind(models.TextChoices):
    SERIES = "series", "Series"
    AUTHOR = "author", "Author"
    NARRATOR = "narrator", "Narrator"
    CATEGORY = "category", "Category"


class PersonRule(models.Model):
    """Titles of a series, an author, a narrator or an Audible category (e.g. "Children's
    Audiobooks") go to one person (matched case-blind)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="rules")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=RuleKind.choices)
    value = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "household_rule"
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind", "value"], name="household_one_rule_per_value"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RuleKind.values), name="household_rule_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value!r} -> {self.person}"


class RouteReason(models.TextChoices):
    ASSIGNMENT = "assignment", "Assigned by a person"
    COLLECTION = "collection", "In a mapped Audible collection"
    RULE = "rule", "A person's rule"
    DEFAULT = "default", "The household's default person"
    QUESTION = "question", 'Waiting for "whose is this?"'


class TitleRoute(models.Model):
    """Where one title of the connection goes now, and why (``person`` empty: asked)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="routes")
    asin = models.CharField(max_length=20)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=RouteReason.choices)
    detail = models.CharField(max_length=300, blank=True, default="")
    previous_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "household_title_route"
        ordering = ["household", "asin"]
        constraints = [
            models.UniqueConstraint(fields=["household", "asin"], name="household_one_route"),
            models.CheckConstraint(
                condition=Q(reason__in=RouteReason.values), name="household_route_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asin} -> {self.person_id or '?'} ({self.reason})"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"


class WhoseQuestion(models.Model):
    """ "Whose is this?": a title nothing routes, asked once and answered once by a member.

    The answer becomes an :class:`Assignment`, so the title is never asked again.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="questions")
    asin = models.CharField(max_length=20)
    item = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "household_question"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "asin"],
                condition=Q(status="open"),
                name="household_one_open_question",
            ),
            models.CheckConstraint(
                condition=Q(status__in=QuestionStatus.values),
                name="household_question_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"whose is {self.asin}? ({self.status})"


class MoveOutcome(models.TextChoices):
    MOVED = "moved", "Moved (the old person's rows reverted)"
    COPIED = "copied", "Copied (the old person's rows kept)"


class ProgressMove(models.Model):
    """A reassigned title's progress carried from the person who lost it to the one who has
    it now: who asked, what was carried, and whether the old rows were reverted or kept."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="moves")
    asin = models.CharField(max_length=20)
    from_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    to_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=MoveOutcome.choices)
    why = models.CharField(max_length=500, blank=True, default="")
    reads_copied = models.PositiveIntegerField(default=0)
    history_copied = models.PositiveIntegerField(default=0)
    # The undo log's change sets: what the move wrote for the new person (kind "link", so a
    # relink there reverts it) and the revert of what the syncs wrote for the old person.
    written = models.ForeignKey(
        "audible_sync.ChangeSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reverted = models.ForeignKey(
        "audible_sync.ChangeSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "household_progress_move"
        ordering = ["household", "-moved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=MoveOutcome.values), name="household_move_outcome_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asin}: {self.from_person} -> {self.to_person} ({self.outcome})"
