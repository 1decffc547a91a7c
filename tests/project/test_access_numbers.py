"""The access table of the pages issue 12 added (statistics, the annual report, the queue's export,
the staff survey): every demo role on every page, allowed (200) or 404. The finer rules have their
own tests (tests/stats/test_scope.py: what a 課 or 部 sees; tests/incidents/test_exports.py: the
columns a role gets; tests/surveys/: answering once)."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from tests.project.test_access_counter_to_case import EVERYONE, force_sign_in, wrong_statuses

#: The whole city's numbers, and so the annual report (stats.policies.sees_whole_city).
CITY = frozenset({"desk", "desk2", "gachief", "gadir", "chair", "member"})
#: Whoever has numbers at all: the city, a 部長's 部, a 所属長's 課 (kanzai: 契約管財課).
STATS = CITY | {"chief", "chief2", "director", "kanzai"}
#: The queue's users (a 所属長 their 課, a 部長 their 部, the 総務部長 the cross-review cases).
QUEUE = frozenset({"chief", "chief2", "director", "desk", "desk2", "gachief", "gadir", "kanzai"})


def pages() -> dict[str, frozenset[str]]:
    """path → the roles that may open it (everyone else: 404)."""
    from stats.annual_demo import report_year
    from surveys.demo import survey_id

    year, open_survey, last_survey = report_year(), survey_id(open_now=True), survey_id(open_now=False)
    return {
        "/stats/": STATS,
        "/stats/?year=2025&section=999999": STATS,  # another 課 asked for: own numbers, with a note
        "/stats/annual/": CITY,
        f"/stats/annual/{year}/": CITY,
        f"/stats/annual/{year}/print/": CITY,
        f"/stats/annual/{year}/xlsx/": CITY,
        f"/stats/annual/{year}/finalise/": frozenset({"desk", "desk2"}),  # only the 相談窓口 writes
        "/queue/export/?tab=all": QUEUE,
        "/queue/export/file/?tab=all&columns=no&format=csv": QUEUE,
        "/surveys/": EVERYONE,
        f"/surveys/{open_survey}/": EVERYONE,  # the form, or 「既に回答済みです」
        f"/surveys/{last_survey}/": EVERYONE,  # closed: says so
        # The thank-you only for those who answered (the demo: all but staff, admin, kanzai and auditor).
        f"/surveys/{open_survey}/thanks/": EVERYONE - {"staff", "admin", "kanzai", "auditor"},
        f"/surveys/{open_survey}/results/": CITY | {"admin"},
        f"/surveys/{last_survey}/results/": CITY | {"admin"},
    }


def test_every_role_opens_what_it_may_and_gets_404_elsewhere(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    assert wrong_statuses(pages(), force_sign_in) == []


def test_a_refused_page_names_nothing_of_what_it_holds(db, settings):
    """A 404 of these pages is the plain 404 page: no 年度 report title, no survey title."""
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    from organization.models import User
    from stats.annual_demo import report_year
    from surveys.demo import survey_id
    from surveys.models import Survey

    client = Client()
    client.force_login(User.objects.get(username="staff"))
    title = Survey.objects.get(pk=survey_id(open_now=True)).title
    for path in (f"/stats/annual/{report_year()}/", f"/surveys/{survey_id(open_now=True)}/results/", "/stats/"):
        page = client.get(path).content.decode()
        assert "カスハラ発生状況報告" not in page and title not in page, path


def test_before_sign_in_every_page_sends_to_the_login(client, db):
    for path in ("/stats/", "/stats/annual/", "/queue/export/", "/queue/export/file/", "/surveys/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
