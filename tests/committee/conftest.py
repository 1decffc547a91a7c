"""Committee fixtures: a meeting built in one call, with its invitations and agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from committee.models import AgendaItem, Invitation, MeasureType, Meeting
from committee.services import MeasureInput
from tests.incidents.conftest import make_report  # noqa: F401


@pytest.fixture
def make_meeting(users):
    """``make_meeting(members={"chair": "chair", "member": "member"}, attended={"chair": True}, cases=[r])``:
    a meeting (made directly, not through the services being tested) with its invitations and agenda."""

    def make(*, members=None, attended=None, cases=(), title="第5回カスハラ対策委員会", days=0):
        meeting = Meeting.objects.create(starts_at=timezone.now() + timedelta(days=days), created_by=users["desk"],
                                         title=title, place="第1会議室")
        members = {"chair": "chair", "member": "member"} if members is None else members
        for name, role in members.items():
            user = users[name] if isinstance(name, str) else name
            Invitation.objects.create(meeting=meeting, user=user, role=role,
                                      attended=(attended or {}).get(name if isinstance(name, str) else user.username))
        for position, report in enumerate(cases, start=1):
            AgendaItem.objects.create(meeting=meeting, report=report, position=position, added_by=users["desk"])
        return meeting

    return make


@pytest.fixture
def measure(db):
    """``measure("warning_letter", owner=user)``: one measure input for a decision."""

    def make(code="warning_letter", *, owner=None, owner_section=None, due_in=14, **extra):
        return MeasureInput(type=MeasureType.objects.get(code=code), owner=owner, owner_section=owner_section,
                            due_on=timezone.localdate() + timedelta(days=due_in), **extra)

    return make


@pytest.fixture
def voter(users, db):
    """Another 対策委員 (in 財政課), as many as a test needs: ``voter("iin3")``."""
    from organization.models import User

    def make(username: str):
        return User.objects.create(username=username, display_name=f"委員 {username}", is_committee_member=True,
                                   section=users["member"].section)

    return make
