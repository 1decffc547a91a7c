"""The live view (対応中) on a phone, in Chromium (issue 8, item 6): the calls to 110 and to the
station are on the first screen, they are real ASCII ``tel:`` links, and every button or link one
taps there is at least 44×44 px."""

from __future__ import annotations

import re

import pytest

from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_calls_are_on_the_first_screen_and_every_tap_target_is_big_enough(page_factory, live_server, users):
    page = page_factory(viewport=PHONE)
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/manual/types/verbal_abuse/live/")

    for selector in ("#call-110", "#call-station"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], (selector, box)
        assert box["width"] >= 44 and box["height"] >= 44, (selector, box)
    assert page.get_attribute("#call-110", "href") == "tel:110"
    assert re.fullmatch(r"tel:\+?[0-9]+", page.get_attribute("#call-station", "href"))

    small = page.evaluate("""() => Array.from(document.querySelectorAll('main a[href], main button'))
      .filter(e => e.offsetParent !== null)
      .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
      .filter(([, r]) => r.width < 44 || r.height < 44)
      .map(([t, r]) => `${t} ${Math.round(r.width)}x${Math.round(r.height)}`)""")
    assert not small, small
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
