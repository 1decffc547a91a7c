"""The demo's care records (called once by ``demo``'s ``load_demo``), made through the services.

The intimidation case of ``staff`` records mental harm: its check-ins are scheduled from its
(back-dated) submission, so the first one is due and the second later; the 相談窓口 proposed a
referral to the 保健室 and ``staff`` consented, sharing the summary and the harm, and agreeing that
their 所属長 may know a referral exists. Running it twice changes nothing.
"""

from __future__ import annotations

from incidents.models import IncidentReport

from . import services
from .models import CheckIn, Referral

REPORT_TITLE = "「殺されたいのか」との発言"


def load(users: dict) -> None:
    report = IncidentReport.objects.filter(title=REPORT_TITLE, reporter=users["staff"]).first()
    if report is None or Referral.objects.filter(report=report).exists():
        return
    # The sample report as its reporter would have filed it: harm to their health, and a wish for follow-up.
    IncidentReport.objects.filter(pk=report.pk).update(
        harm_mental=True, wants_mental_care=True,
        harm_detail="その後、窓口に立つと動悸がし、夜も眠れない日が続いている。",
    )
    report.refresh_from_db()
    services.schedule_checkins(report=report, actor=report.reporter)
    referral = services.propose_referral(
        report=report, actor=users["desk"],
        message="事案の後、眠れない日が続いているとのことです。保健師との面談をおすすめします。",
    )
    services.consent(referral=referral, actor=users["staff"], share={"share_summary": True, "share_harm": True},
                     share_with_chief=True, contact="内線 1234（平日 13時〜15時）")


# -- the demo's records, for the accessibility test's page list (tests/e2e/pages.py) ---------------------

def referral_id() -> int:
    return Referral.objects.values_list("pk", flat=True).get(report__title=REPORT_TITLE)


def checkin_id() -> int:
    """The demo's check-in that is due (the first of the case)."""
    return CheckIn.objects.values_list("pk", flat=True).get(report__title=REPORT_TITLE, number=1)
