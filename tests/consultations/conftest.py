"""Fixtures of the consultation tests: the incidents fixtures (people, reports) and a consultation
made the way the 「相談する」 page makes it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.incidents.conftest import colleague, make_report, neighbour  # noqa: F401

WHAT_HAPPENED = "電話で「馬鹿野郎」「お前じゃ話にならない」と暴言を繰り返し、DV被害を訴える相談者の住所を教えろと迫った。"
WISH = "カスハラに当たるか判断してほしい"


@pytest.fixture
def make_consultation(users):
    """``make(author=None, **fields)``: a consultation by ``staff`` unless told otherwise."""
    from consultations import services

    def make(author=None, **fields):
        values = {
            "what_happened": WHAT_HAPPENED,
            "wish": WISH,
            "contact": "内線1234（平日15時以降）",
            "occurred_on": date(2025, 6, 18),
            "channel": "phone",
            "share_with_supervisors": False,
        }
        values.update(fields)
        return services.create_consultation(author=author or users["staff"], **values)

    return make


@pytest.fixture
def consultation(make_consultation):
    return make_consultation()
