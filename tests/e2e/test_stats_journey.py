"""The dashboard in a browser (issue 12's browser test, its /stats/ part): the 相談窓口 opens /stats/,
filters to a 年度 and a 態様, reads the chart and the table beside it; the 所属長 of 市民課 sees only
市民課's numbers. Uses the fixed data set of tests/stats/conftest.py."""

from __future__ import annotations

import pytest

from tests.helpers import login
from tests.stats.conftest import stats_data  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(page, key: str, heading: str) -> list[str]:
    cells = page.locator(f"#table-{key} tr", has=page.locator("th", has_text=heading)).first.locator("td")
    return [text.strip() for text in cells.all_inner_texts()]


def test_desk_filters_by_year_and_type_and_reads_the_chart_and_table(page_factory, live_server, stats_data):  # noqa: F811
    page = page_factory()
    login(page, live_server, "desk")
    page.get_by_role("link", name="統計").first.click()
    page.get_by_role("heading", name="統計ダッシュボード").wait_for()
    page.get_by_label("年度").select_option(label="令和7年度")
    page.get_by_label("態様", exact=True).select_option(label="暴言型")
    page.get_by_role("button", name="表示する").click()
    page.wait_for_url("**/stats/?*year=2025*")
    assert "type=" in page.url
    # 暴言型 only: c1, c2, c5, c6 in 令和7年度; p1, p2 in 令和6年度.
    assert row(page, "summary", "事案の件数") == ["4", "2"]
    chart = page.get_by_role("img", name="グラフ：態様別の件数")
    assert chart.is_visible()
    assert row(page, "by_type", "暴言型") == ["4", "2"]
    assert row(page, "by_section", "市民課") == ["3", "2"]  # c1, c2, c5 / p1, p2
    assert page.get_by_label("態様", exact=True).input_value() != ""
    assert page.outside_requests == []


def test_chief_sees_only_their_section(page_factory, live_server, stats_data):  # noqa: F811
    page = page_factory()
    login(page, live_server, "chief")
    welfare = stats_data["sections"]["福祉課"].pk
    page.goto(f"{live_server.url}/stats/?year=2025&section={welfare}")
    assert "市民環境部 市民課の数値です" in page.locator("#stats-scope").inner_text()
    assert page.locator("#stats-ignored").is_visible()
    assert row(page, "summary", "事案の件数") == ["5", "3件未満"]
    assert page.locator("#table-by_section tbody th").all_inner_texts() == ["市民課"]
