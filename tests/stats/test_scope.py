"""/stats/ per role: who sees which numbers, the filters in the URL, bad values, and the page's
charts and tables (the same numbers)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from kasuhara.charts import external_urls


def table_cells(html: str, key: str) -> dict[str, list[str]]:
    """{row heading: cell texts} of the data table ``table-<key>`` on a page."""
    body = re.search(rf'<table[^>]*id="table-{key}".*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", body, re.S):
        rows[unescape(row[0])] = [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]
    return rows


def page(client, query: str = "") -> str:
    response = client.get(f"/stats/{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["desk", "chair", "member", "gadir", "gachief"])
def test_desk_committee_and_general_affairs_see_the_city(stats_data, client_as, role):
    html = page(client_as(role), "?year=2025")
    assert "市全体の数値です" in html
    assert table_cells(html, "summary")["事案の件数"] == ["9", "5"]
    assert table_cells(html, "by_section")["福祉課"] == ["2", "2"]


def test_a_section_chief_sees_only_their_section_whatever_the_url(stats_data, client_as):
    welfare = stats_data["sections"]["福祉課"]
    for query in ("?year=2025", f"?year=2025&section={welfare.pk}", f"?year=2025&department={welfare.department_id}"):
        html = page(client_as("chief"), query)
        assert "市民環境部 市民課の数値です" in html
        assert table_cells(html, "summary")["事案の件数"] == ["5", "3件未満"]
        assert list(table_cells(html, "by_section")) == ["市民課"]
        assert "福祉課" not in table_cells(html, "by_department") and "健康福祉部" not in html.split('id="stats-filter"')[1]
    # The other 課 in the URL is named as ignored, in Japanese.
    html = page(client_as("chief"), f"?year=2025&section={welfare.pk}")
    assert "次の条件は正しくないため、使わずに表示しています：課" in html


def test_a_director_sees_their_department(stats_data, client_as):
    html = page(client_as("director"), "?year=2025")
    assert "市民環境部の数値です" in html
    assert table_cells(html, "summary")["事案の件数"] == ["7", "3"]
    assert table_cells(html, "by_section") == {"市民課": ["5", "2"], "生活環境課": ["2", "1"]}
    welfare = stats_data["sections"]["福祉課"]
    html = page(client_as("director"), f"?year=2025&section={welfare.pk}")
    assert table_cells(html, "summary")["事案の件数"] == ["7", "3"] and "stats-ignored" in html


@pytest.mark.parametrize("role", ["staff", "staff2", "nurse", "admin"])
def test_others_get_404(stats_data, client_as, role):
    assert client_as(role).get("/stats/?year=2025").status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/stats/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_small_counts_a_chief_of_a_section_with_two_cases(stats_data, client_as):
    # 福祉課 has 2 cases in 令和7年度: its 所属長 sees 「3件未満」, the desk sees 2.
    html = page(client_as("chief2"), "?year=2025")
    assert table_cells(html, "summary")["事案の件数"] == ["3件未満", "3件未満"]
    assert 'id="stats-masked"' in html
    desk = page(client_as("desk"), "?year=2025")
    assert table_cells(desk, "by_section")["福祉課"] == ["2", "2"] and 'id="stats-masked"' not in desk
    # The desk narrowing to one 課 gets the same rule.
    welfare = stats_data["sections"]["福祉課"]
    narrowed = page(client_as("desk"), f"?year=2025&section={welfare.pk}")
    assert table_cells(narrowed, "summary")["事案の件数"] == ["3件未満", "3件未満"]


def test_filters_round_trip_in_the_url(stats_data, client_as):
    from manual.models import HarassmentType

    abuse = HarassmentType.objects.get(code="verbal_abuse")
    html = page(client_as("desk"), f"?year=2025&month_from=4&month_to=6&type={abuse.pk}&channel=phone")
    # c2 (5月, 電話, 暴言型) only; 令和6年度 4–6月 by phone: none.
    assert table_cells(html, "summary")["事案の件数"] == ["1", "0"]
    form = html.split('id="stats-filter"')[1].split("</form>")[0]
    for name, value in (("year", "2025"), ("month_from", "4"), ("month_to", "6"), ("type", str(abuse.pk)),
                        ("channel", "phone")):
        assert re.search(rf'<select name="{name}"[^>]*>.*?<option value="{value}" selected>', form, re.S), name
    assert "令和7年度 4月〜6月" in html


@pytest.mark.parametrize("query", ["?year=abc", "?year=1999", "?month_from=13", "?month_from=9&month_to=5",
                                   "?type=999999", "?channel=fax", "?section=x&department=%00"])
def test_bad_filter_values_give_a_note_not_an_error(stats_data, client_as, query):
    html = page(client_as("desk"), query)
    assert "次の条件は正しくないため、使わずに表示しています" in html


def test_the_default_is_the_current_year(stats_data, client_as):
    from django.utils import timezone

    from kasuhara.figures import fiscal_year_label, fiscal_year_of

    html = page(client_as("desk"))
    assert f"{fiscal_year_label(fiscal_year_of(timezone.localdate()))}を、前年度" in html


def test_the_chart_is_inline_and_its_table_has_the_same_numbers(stats_data, client_as):
    html = page(client_as("desk"), "?year=2025")
    figure = re.search(r'<figure[^>]*id="fig-by_type".*?</figure>', html, re.S).group(0)
    svg = re.search(r"<svg.*?</svg>", figure, re.S).group(0)
    assert 'role="img"' in svg and 'aria-label="グラフ：態様別の件数"' in svg
    assert external_urls(svg) == set() and "<script" not in html.split("<svg")[1].split("</svg>")[0]
    assert table_cells(html, "by_type")["暴言型"] == ["4", "2"]
    # pygal writes each bar's value in the SVG (its tooltip text): each series holds the numbers of
    # its column of the table, 令和7年度 first.
    table = table_cells(html, "by_type")
    for serie, column in ((0, 0), (1, 1)):
        group = svg.split(f"serie-{serie} ")[1].split("serie-")[0]
        drawn = sorted(int(v) for v in re.findall(r'<desc class="value">([^<]*)</desc>', group))
        assert drawn == sorted(int(cells[column]) for cells in table.values())
    assert re.search(r'<figure[^>]*id="fig-by_month".*?<svg', html, re.S)  # the line by month
    assert "<script src=\"http" not in html and "cdn" not in html.lower()


def test_the_navigation_links_to_stats_for_those_with_a_scope(stats_data, client_as):
    assert 'href="/stats/"' in client_as("chief").get("/").content.decode()
    assert 'href="/stats/"' not in client_as("staff").get("/").content.decode()
