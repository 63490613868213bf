"""``/api/household/...`` (see :mod:`tracker_api.households.api`)."""

from __future__ import annotations

from django.urls import path

from tracker_api.households import api

urlpatterns = [
    path("household", api.HouseholdView.as_view(), name="household"),
    path("household/invitations", api.InvitationListView.as_view(), name="household-invitations"),
    path(
        "household/invitations/<id:pk>/accept",
        api.InvitationAcceptView.as_view(),
        name="household-invitation-accept",
    ),
    path(
        "household/invitations/<id:pk>/decline",
        api.InvitationDeclineView.as_view(),
        name="household-invitation-decline",
    ),
    path("household/leave", api.LeaveView.as_view(), name="household-leave"),
    path("household/assignments", api.AssignmentView.as_view(), name="household-assignments"),
    path("household/collections", api.CollectionRouteView.as_view(), name="household-collections"),
    path("household/rules", api.RuleView.as_view(), name="household-rules"),
    path("household/routes", api.RouteListView.as_view(), name="household-routes"),
    path("household/moves", api.MoveView.as_view(), name="household-moves"),
    path("household/questions", api.QuestionListView.as_view(), name="household-questions"),
    path(
        "household/questions/<id:pk>/answer",
        api.QuestionAnswerView.as_view(),
        name="household-question-answer",
    ),
]
