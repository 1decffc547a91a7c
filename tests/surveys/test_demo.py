"""The demo's surveys: last 年度's closed one with answers, this 年度's open one that everyone but
``staff`` answered — so ``staff`` sees the reminder on the home page; loading twice changes nothing."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kasuhara.figures import fiscal_year_of
from organization.models import User
from surveys import demo, selectors
from surveys.models import Participation, Response, Survey


def test_the_demo_has_a_closed_and_an_open_survey(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    call_command("load_demo", stdout=None)

    closed, open_now = Survey.objects.get(pk=demo.survey_id(open_now=False)), Survey.objects.get(pk=demo.survey_id(open_now=True))
    this_year = fiscal_year_of(timezone.localdate())
    assert fiscal_year_of(closed.closes_on) == this_year - 1 and fiscal_year_of(open_now.closes_on) == this_year
    assert Response.objects.filter(survey=closed).count() == len(demo.PAST)
    assert Response.objects.filter(survey=open_now).count() == len(demo.NOW)
    answered = set(Participation.objects.filter(survey=open_now).values_list("user__username", flat=True))
    assert "staff" not in answered and "staff2" in answered

    result = selectors.results(open_now)
    assert result.previous == closed
    assert [t.chart for t in result.tables()] == [None, None, "bar"]

    client = Client()
    client.force_login(User.objects.get(username="staff"))
    assert "職員アンケートへのご協力のお願い" in client.get("/").content.decode()
    client.force_login(User.objects.get(username="staff2"))
    assert "職員アンケートへのご協力のお願い" not in client.get("/").content.decode()
