from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import Channel, IncidentReport
from organization.models import User


@pytest.fixture
def auditor(users) -> User:
    return users["auditor"]


@pytest.fixture
def auditor_client(auditor) -> Client:
    client = Client()
    client.force_login(auditor)
    return client


@pytest.fixture
def new_report(users):
    def make(reporter: User | None = None) -> IncidentReport:
        reporter = reporter or users["staff"]
        now = timezone.now()
        return IncidentReport.objects.create(
            reporter=reporter, section=reporter.section, status=Status.SUBMITTED, title="窓口での大声",
            occurred_start=now, occurred_end=now, channel=Channel.COUNTER, staff_count=1, counterpart_count=1,
            demand="手数料の免除", conduct="大声で怒鳴った。", submitted_at=now,
        )

    return make
