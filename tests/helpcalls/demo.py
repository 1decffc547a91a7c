"""What the accessibility test (``tests/e2e/pages.py``) needs of the call for help in the demo data:
a call ``staff`` made two hours ago from 暴言型's live view, answered by ``chief`` and closed (so it
is in no banner while the other pages are checked), and the call form sent with a place too long."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

PLACE = "本庁舎1階 市民課 3番窓口"


def demo_help_call() -> int:
    from audit.guard import backdating
    from helpcalls.models import EventAction, HelpAnswer, HelpCall, HelpCallEvent
    from manual.models import HarassmentType
    from organization.models import User

    existing = HelpCall.objects.filter(caller__username="staff", place=PLACE).values_list("pk", flat=True).first()
    if existing is not None:
        return existing
    staff, chief = User.objects.get(username="staff"), User.objects.get(username="chief")
    at = timezone.now() - timedelta(hours=2)
    call = HelpCall.objects.create(caller=staff, section=staff.section, place=PLACE, created_at=at,
                                   harassment_type=HarassmentType.objects.get(code="verbal_abuse"),
                                   resolved_at=at + timedelta(minutes=12), resolved_by=staff)
    HelpAnswer.objects.create(call=call, responder=chief, answered_at=at + timedelta(minutes=1))
    for action, actor, minutes in ((EventAction.CALLED, staff, 0), (EventAction.ANSWERED, chief, 1),
                                   (EventAction.RESOLVED, staff, 12)):
        event = HelpCallEvent.objects.create(call=call, actor=actor, action=action)
        with backdating():  # the audit tables refuse other UPDATEs (audit.guard)
            HelpCallEvent.objects.filter(pk=event.pk).update(at=at + timedelta(minutes=minutes))
    return call.pk


def too_long_place(page) -> int:
    """The call form sent with a place of 101 characters: the 400 page that keeps it."""
    with page.expect_navigation() as navigation:
        page.evaluate("""() => {
            const form = document.getElementById('help-call-form');
            const place = form.querySelector('[name=place]');
            place.removeAttribute('maxlength');
            place.value = '窓'.repeat(101);
            HTMLFormElement.prototype.submit.call(form);
        }""")
    return navigation.value.status
