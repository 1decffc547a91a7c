from __future__ import annotations

import pytest


@pytest.fixture
def colleague(users):
    """A second member of staff in ``staff``'s 課 (市民課), besides its 所属長 ``chief``."""
    from organization.models import User

    users["staff3"] = User.objects.create(username="staff3", display_name="窓口 次郎", section=users["staff"].section,
                                          email="staff3@example.lg.jp")
    return users["staff3"]


@pytest.fixture
def call(users, types, colleague, django_capture_on_commit_callbacks):
    """``staff`` calls for help from 暴言型's live view (through the service; notices delivered)."""
    from helpcalls import services

    with django_capture_on_commit_callbacks(execute=True):
        return services.call_for_help(caller=users["staff"], place="本庁舎1階 3番窓口",
                                      harassment_type=types["verbal_abuse"])
