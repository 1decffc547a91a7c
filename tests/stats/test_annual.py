"""The annual report 「カスハラ発生状況報告（令和N年度）」: generate → comment → regenerate (comments
kept) → finalise → locked; the stale form; who may open it; the print page and the XLSX; the
committee's measures table; the audit trail."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kasuhara.figures import Table
from stats import annual, services
from stats.models import AnnualReport, AnnualReportAction, AnnualReportEvent, AnnualReportState
from tests.incidents.conftest import make_report  # noqa: F401 (a fixture)

YEAR = 2025  # 令和7年度

MANAGERS = ("desk", "desk2")
READERS = ("gachief", "gadir", "chair", "member")
NOBODY = ("staff", "staff2", "chief", "chief2", "director", "nurse", "admin")


@pytest.fixture
def dashboard(monkeypatch, db):
    """A stand-in for the dashboard's ``year_tables``: one table counting the cases in the
    database (so a case added later changes what a new generation would show)."""
    from incidents.models import IncidentReport

    calls = []

    def year_tables(fiscal_year, *, scope=None, today=None):
        calls.append((fiscal_year, scope))
        count = IncidentReport.objects.count()
        return [Table(key="by_type", caption="態様別の件数", headers=["令和7年度", "令和6年度"],
                      rows=[("暴言型", [count, 1]), ("威嚇・脅迫型", [None, 0])], unit="件", chart="bar",
                      compare=True, row_header="態様", note="1件に2つの態様があれば両方に数えます。")]

    monkeypatch.setattr("stats.selectors.year_tables", year_tables)
    return calls


@pytest.fixture
def survey(monkeypatch):
    tables = [Table(key="survey_experience", caption="職員アンケート：過去3年間にカスハラを受けた経験",
                    headers=["人数", "割合（%）"], rows=[("ある", [12, 40.0]), ("ない", [18, 60.0])])]
    monkeypatch.setattr("surveys.selectors.tables_for_fiscal_year", lambda year: tables if year == YEAR else [])
    return tables


@pytest.fixture
def report(users, dashboard, survey):
    return services.generate(actor=users["desk"], fiscal_year=YEAR)


def _comments_post(report, **values):
    data = {"version": report.version, "summary": "", **{f"comment-{t['key']}": "" for t in report.tables}}
    data.update(values)
    return data


# -- the life of a report ---------------------------------------------------------------------

def test_generate_comment_regenerate_finalise_then_locked(users, report, dashboard, make_report):  # noqa: F811
    desk = users["desk"]
    assert report.state == AnnualReportState.DRAFT
    assert len(dashboard) == 1 and dashboard[0][0] == YEAR and dashboard[0][1].whole_city
    keys = [t["key"] for t in report.tables]
    assert keys == ["by_type", "committee_measure_list", "survey_experience"]
    assert report.tables[0]["rows"][0] == ["暴言型", [0, 1]]

    report = services.save_comments(actor=desk, report=report, version=report.version, summary="前年度より増えた。",
                                    comments={"by_type": "暴言型が最も多い。", "no_such_table": "捨てられる"})
    assert report.comments == {"by_type": "暴言型が最も多い。"}

    make_report(users["staff"])  # a case filed after the generation
    assert AnnualReport.objects.get(pk=report.pk).tables[0]["rows"][0][1][0] == 0  # the snapshot did not move
    report = services.regenerate(actor=desk, report=report)
    assert report.tables[0]["rows"][0][1][0] == 1  # the figures are today's
    assert report.summary == "前年度より増えた。"
    assert report.comments == {"by_type": "暴言型が最も多い。"}

    report = services.finalise(actor=desk, report=report, version=report.version)
    assert report.final and report.finalised_by == desk and report.finalised_at
    frozen = AnnualReport.objects.get(pk=report.pk)

    make_report(users["staff"])  # the figures change again after 確定
    with pytest.raises(services.ReportLocked, match="確定済み"):
        services.regenerate(actor=desk, report=report)
    with pytest.raises(services.ReportLocked, match="確定済み"):
        services.generate(actor=desk, fiscal_year=YEAR)
    with pytest.raises(services.ReportLocked):
        services.save_comments(actor=desk, report=report, version=report.version, summary="書き換え", comments={})
    with pytest.raises(services.ReportLocked):
        services.finalise(actor=desk, report=report, version=report.version)
    after = AnnualReport.objects.get(pk=report.pk)
    assert (after.tables, after.summary, after.comments, after.version) == (
        frozen.tables, frozen.summary, frozen.comments, frozen.version)
    assert after.tables[0]["rows"][0][1][0] == 1
    assert list(AnnualReportEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        AnnualReportAction.GENERATED, AnnualReportAction.COMMENTS_SAVED, AnnualReportAction.REGENERATED,
        AnnualReportAction.FINALISED]


def test_the_pages_do_the_same_and_a_finalised_report_refuses_every_write(users, client_as, dashboard, survey):
    desk = client_as("desk")
    response = desk.post(reverse("stats:annual_generate", args=[YEAR]))
    assert response.status_code == 302
    report = AnnualReport.objects.get(fiscal_year=YEAR)
    page = desk.get(response["Location"]).content.decode()
    assert "カスハラ発生状況報告（令和7年度）" in page and "下書き" in page
    assert 'name="comment-by_type"' in page and "態様別の件数" in page

    response = desk.post(reverse("stats:annual_comments", args=[YEAR]),
                         _comments_post(report, summary="総評です。", **{"comment-by_type": "暴言型が多い。"}))
    assert response.status_code == 302
    response = desk.post(reverse("stats:annual_generate", args=[YEAR]), follow=True)
    assert "総評とコメントはそのまま残しています" in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "総評です。" and report.comments["by_type"] == "暴言型が多い。"

    confirm = desk.get(reverse("stats:annual_finalise", args=[YEAR]))
    assert confirm.status_code == 200 and "変更できなくなります" in confirm.content.decode()
    assert AnnualReport.objects.get(pk=report.pk).state == AnnualReportState.DRAFT  # the GET asks only
    response = desk.post(reverse("stats:annual_finalise", args=[YEAR]), {"version": report.version}, follow=True)
    assert "確定しました" in response.content.decode()
    report.refresh_from_db()
    assert report.final
    frozen = (report.tables, report.summary, report.comments, report.version)

    page = desk.get(reverse("stats:annual_report", args=[YEAR])).content.decode()
    assert 'name="comment-by_type"' not in page and "再生成" not in page and "暴言型が多い。" in page
    for url, data in ((reverse("stats:annual_comments", args=[YEAR]), _comments_post(report, summary="改ざん")),
                      (reverse("stats:annual_finalise", args=[YEAR]), {"version": report.version})):
        response = desk.post(url, data)
        assert response.status_code == 409
        assert "確定済みのため、変更できません" in response.content.decode()
    response = desk.post(reverse("stats:annual_generate", args=[YEAR]), follow=True)
    assert "確定済みのため、変更できません" in response.content.decode()
    report.refresh_from_db()
    assert (report.tables, report.summary, report.comments, report.version) == frozen


def test_a_stale_form_is_refused_with_a_message_and_keeps_what_was_typed(users, client_as, report):
    desk, desk2 = client_as("desk"), client_as("desk2")
    opened = report.version
    assert desk2.post(reverse("stats:annual_comments", args=[YEAR]),
                      _comments_post(report, summary="相談員の総評")).status_code == 302
    typed = _comments_post(report, summary="窓口の総評：長文の下書き", **{"comment-by_type": "窓口のコメント"})
    typed["version"] = opened
    response = desk.post(reverse("stats:annual_comments", args=[YEAR]), typed)
    assert response.status_code == 409
    page = response.content.decode()
    assert "別の操作" in page and "入力した内容はそのまま残しています" in page
    assert "窓口の総評：長文の下書き" in page and "窓口のコメント" in page
    report.refresh_from_db()
    assert report.summary == "相談員の総評"  # nothing written
    # The page now carries the current version: saving again overwrites, on purpose.
    typed["version"] = report.version
    assert desk.post(reverse("stats:annual_comments", args=[YEAR]), typed).status_code == 302
    report.refresh_from_db()
    assert report.summary == "窓口の総評：長文の下書き"


def test_a_finalise_from_a_stale_confirmation_is_refused(users, client_as, report):
    services.save_comments(actor=users["desk2"], report=report, version=report.version, summary="追記", comments={})
    response = client_as("desk").post(reverse("stats:annual_finalise", args=[YEAR]), {"version": report.version},
                                      follow=True)
    assert "内容を確かめてから確定してください" in response.content.decode()
    assert AnnualReport.objects.get(pk=report.pk).state == AnnualReportState.DRAFT


def test_too_long_a_comment_is_refused_beside_the_box_and_kept(client_as, report):
    text = "あ" * 10_001
    response = client_as("desk").post(reverse("stats:annual_comments", args=[YEAR]), _comments_post(report, summary=text))
    assert response.status_code == 400
    page = response.content.decode()
    assert "10000文字以内で入力してください" in page and text in page
    report.refresh_from_db()
    assert report.summary == ""


# -- who may open it --------------------------------------------------------------------------

@pytest.mark.parametrize("username", MANAGERS + READERS)
def test_the_whole_city_reads_the_report(client_as, report, username):
    client = client_as(username)
    assert client.get(reverse("stats:annual_list")).status_code == 200
    page = client.get(reverse("stats:annual_report", args=[YEAR]))
    assert page.status_code == 200
    assert ('name="comment-by_type"' in page.content.decode()) == (username in MANAGERS)
    assert client.get(reverse("stats:annual_print", args=[YEAR])).status_code == 200
    assert client.get(reverse("stats:annual_xlsx", args=[YEAR])).status_code == 200


@pytest.mark.parametrize("username", READERS)
def test_readers_may_not_write(client_as, report, username):
    client = client_as(username)
    before = (report.version, report.state)
    assert client.post(reverse("stats:annual_generate", args=[YEAR])).status_code == 404
    assert client.post(reverse("stats:annual_comments", args=[YEAR]), _comments_post(report, summary="x")).status_code == 404
    assert client.get(reverse("stats:annual_finalise", args=[YEAR])).status_code == 404
    assert client.post(reverse("stats:annual_finalise", args=[YEAR]), {"version": report.version}).status_code == 404
    assert client.post(reverse("stats:annual_generate", args=[YEAR - 1])).status_code == 404
    report.refresh_from_db()
    assert (report.version, report.state) == before
    assert not AnnualReport.objects.filter(fiscal_year=YEAR - 1).exists()


@pytest.mark.parametrize("username", NOBODY)
def test_everyone_else_gets_404_and_nothing_of_the_report(client_as, report, username):
    client = client_as(username)
    for url in (reverse("stats:annual_list"), reverse("stats:annual_report", args=[YEAR]),
                reverse("stats:annual_print", args=[YEAR]), reverse("stats:annual_xlsx", args=[YEAR]),
                reverse("stats:annual_finalise", args=[YEAR])):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "態様別の件数" not in response.content.decode()
    assert client.post(reverse("stats:annual_generate", args=[YEAR - 1])).status_code == 404
    assert not AnnualReport.objects.filter(fiscal_year=YEAR - 1).exists()
    assert not AnnualReportEvent.objects.filter(actor__username=username).exists()


def test_a_year_without_a_report_or_out_of_range_is_404(client_as, report):
    desk = client_as("desk")
    assert desk.get(reverse("stats:annual_report", args=[YEAR - 1])).status_code == 404
    assert desk.get(reverse("stats:annual_xlsx", args=[YEAR - 1])).status_code == 404
    assert desk.post(reverse("stats:annual_generate", args=[1026])).status_code == 404


def test_the_list_offers_the_recent_years_and_the_desk_generates_from_it(client_as, report):
    page = client_as("desk").get(reverse("stats:annual_list")).content.decode()
    assert "令和7年度" in page and "下書き" in page
    assert reverse("stats:annual_generate", args=[YEAR - 1]) in page  # 令和6年度: no report yet
    assert reverse("stats:annual_generate", args=[YEAR]) not in page
    page = client_as("chair").get(reverse("stats:annual_list")).content.decode()
    assert "報告を作成する" not in page and reverse("stats:annual_report", args=[YEAR]) in page


# -- print and XLSX ---------------------------------------------------------------------------

def test_the_print_page_shows_wareki_dates_and_a_page_per_table(users, client_as, report):
    report = services.finalise(actor=users["desk"], report=report, version=report.version)
    page = client_as("chair").get(reverse("stats:annual_print", args=[YEAR])).content.decode()
    generated = timezone.localdate(report.generated_at)
    assert f"令和{generated.year - 2018}年{generated.month}月{generated.day}日 ({generated:%Y-%m-%d})" in page
    assert page.count(f"({generated:%Y-%m-%d})") >= 2  # 作成日 and 確定日 (the same day here)
    assert page.count('class="page-break') == len(report.tables)
    assert "態様別の件数" in page and "<caption" in page
    assert 'id="finalised-on"' in page and "未確定" not in page
    css = open("static/css/app.css", encoding="utf-8").read()
    assert "@page { size: A4" in css and ".page-break { break-before: page; }" in css


def test_the_xlsx_opens_with_the_sheets_headers_and_numbers_of_the_page(users, client_as, report):
    report = services.save_comments(actor=users["desk"], report=report, version=report.version,
                                    summary="総評の文章", comments={"by_type": "表へのコメント"})
    response = client_as("member").get(reverse("stats:annual_xlsx", args=[YEAR]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    disposition = response["Content-Disposition"]
    assert 'filename="kasuhara_report_R7.xlsx"' in disposition
    assert "no-store" in response["Cache-Control"]  # the city's figures are never kept by a browser or proxy
    assert "filename*=UTF-8''" in disposition and "%E4%BB%A4%E5%92%8C7%E5%B9%B4%E5%BA%A6" in disposition  # 令和7年度
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["総評", "態様別の件数", "対策委員会が決定した措置（令和7年度）",
                               "職員アンケート：過去3年間にカスハラを受けた経験"]
    assert all(len(name) <= 31 for name in book.sheetnames)
    cover = book["総評"]
    assert cover["A1"].value == "カスハラ発生状況報告（令和7年度）"
    assert "総評の文章" in [row[0] for row in cover.iter_rows(values_only=True)]
    sheet = book["態様別の件数"]
    assert [c.value for c in sheet[3]] == ["態様", "令和7年度", "令和6年度"]
    assert all(c.font.bold for c in sheet[3])
    assert [c.value for c in sheet[4]] == ["暴言型", 0, 1]
    assert sheet["B4"].data_type == "n" and sheet["C5"].value == 0 and sheet["B5"].value is None
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "表へのコメント" in values and "1件に2つの態様があれば両方に数えます。" in values
    survey_sheet = book["職員アンケート：過去3年間にカスハラを受けた経験"]
    assert [c.value for c in survey_sheet[4]] == ["ある", 12, 40.0]
    # The same numbers as the page's table.
    page = client_as("member").get(reverse("stats:annual_report", args=[YEAR])).content.decode()
    for sheet, label in ((book["態様別の件数"], "暴言型"), (survey_sheet, "ある"), (survey_sheet, "ない")):
        shown = _page_row(page, label)
        in_book = next(row[1:] for row in sheet.iter_rows(values_only=True) if row[0] == label)
        assert [float(text.replace(",", "")) for text in shown] == [float(v) for v in in_book]


def _page_row(page: str, label: str) -> list[str]:
    """The cells of the page's table row headed ``label``."""
    row = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_sheet_names_are_cut_to_31_characters_and_unique():
    from stats.xlsx import sheet_name

    taken = {"総評"}
    long = "態様別・課別・月別の件数と前年度との比較（市全体、令和7年度の集計）"
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second and second.endswith("(2)")
    assert sheet_name("相談/通報:件数[月別]?", taken) == "相談通報件数月別"
    assert sheet_name("総評", taken) == "総評(2)"


def test_reading_printing_and_exporting_are_recorded(users, client_as, report):
    chair = client_as("chair")
    chair.get(reverse("stats:annual_report", args=[YEAR]))
    chair.get(reverse("stats:annual_print", args=[YEAR]))
    chair.get(reverse("stats:annual_xlsx", args=[YEAR]))
    actions = list(AnnualReportEvent.objects.filter(report=report, actor=users["chair"]).values_list("action", flat=True))
    assert actions == [AnnualReportAction.VIEWED, AnnualReportAction.PRINTED, AnnualReportAction.EXPORTED]


# -- the committee's measures -----------------------------------------------------------------

@pytest.fixture
def decide(users, make_report):  # noqa: F811
    """``decide(finalised_at, [(type_code, due_on, done)])``: a finalised decision with its measures."""
    from committee.models import AgendaItem, Decision, Measure, MeasureType, Meeting

    def make(finalised_at, measures, *, superseded=False):
        report = make_report(users["staff"])
        meeting = Meeting.objects.create(starts_at=finalised_at, created_by=users["chair"])
        item = AgendaItem.objects.create(meeting=meeting, report=report, added_by=users["desk"])
        decision = Decision.objects.create(item=item, report=report, judged="yes", policy="警告する",
                                           created_by=users["chair"], finalised_at=finalised_at,
                                           finalised_by=users["chair"])
        for code, due_on, done in measures:
            Measure.objects.create(decision=decision, type=MeasureType.objects.get(code=code),
                                   owner_section=users["chief"].section, due_on=due_on,
                                   done_at=finalised_at + datetime.timedelta(days=3) if done else None)
        if superseded:
            Decision.objects.create(item=item, report=report, judged="yes", policy="訂正", supersedes=decision,
                                    created_by=users["chair"])
        return decision

    return make


def _at(y, m, d):
    return timezone.make_aware(datetime.datetime(y, m, d, 10, 0))


def test_the_measures_table_lists_the_years_measures_with_their_state(db, decide, django_assert_num_queries):
    from committee.models import MeasureType

    codes = list(MeasureType.objects.values_list("code", flat=True)[:2])
    decide(_at(2025, 4, 1), [(codes[0], datetime.date(2025, 5, 1), True)])  # done
    decide(_at(2026, 3, 31), [(codes[0], datetime.date(2026, 4, 30), False),  # overdue on 2026-06-01
                              (codes[1], datetime.date(2026, 7, 1), False)])  # in progress
    decide(_at(2025, 3, 31), [(codes[1], datetime.date(2025, 4, 15), False)])  # 令和6年度: not listed
    decide(_at(2025, 6, 1), [(codes[1], datetime.date(2025, 7, 1), True)], superseded=True)  # corrected: not listed
    decide(_at(2026, 4, 1), [(codes[0], datetime.date(2026, 5, 1), True)])  # 令和8年度: not listed

    with django_assert_num_queries(1):
        [listing] = annual.measure_tables(2025, today=datetime.date(2026, 6, 1))
    assert listing.caption == "対策委員会が決定した措置（令和7年度）"
    assert listing.headers == ["担当課", "期限", "状態"]
    names = dict(MeasureType.objects.values_list("code", "name"))
    assert [(label, cells[2]) for label, cells in listing.rows] == [
        (names[codes[0]], "完了"), (names[codes[0]], "期限超過"), (names[codes[1]], "実施中")]
    assert listing.rows[1][1][:2] == ["市民課", "令和8年4月30日 (2026-04-30)"]


def test_a_year_without_decisions_says_so(db):
    [listing] = annual.measure_tables(2020, today=datetime.date(2026, 6, 1))
    assert listing.rows == [] and "決定した措置はありません" in listing.note


def test_the_real_dashboard_and_survey_tables_go_into_the_snapshot(users, make_report):  # noqa: F811
    """Without stand-ins: the dashboard's whole-city tables (by 態様, with the previous 年度) and the
    measures; the snapshot is plain JSON that reads back as the same Tables."""
    make_report(users["staff"], occurred_start=_at(2025, 6, 1), occurred_end=_at(2025, 6, 1) + datetime.timedelta(hours=1),
                submitted_at=_at(2025, 6, 1) + datetime.timedelta(hours=2))
    report = services.generate(actor=users["desk"], fiscal_year=YEAR)
    report.refresh_from_db()
    keys = [t["key"] for t in report.tables]
    assert len(keys) == len(set(keys)) > 2 and keys[-1] == "committee_measure_list"
    tables = report.table_objects()
    assert all(t.headers for t in tables)
    dashboard = [t for t in tables if t.key != "committee_measure_list"]
    assert all(t.headers[:2] == ["令和7年度", "令和6年度"] for t in dashboard if t.compare)
    assert any(1 in cells for t in dashboard for _label, cells in t.rows), "the case is counted somewhere"


# -- the demo ---------------------------------------------------------------------------------

def test_the_demo_has_a_draft_report_for_this_year_once(db):
    from django.core.management import call_command

    from kasuhara.figures import fiscal_year_of
    from stats import annual_demo

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    [report] = AnnualReport.objects.all()
    assert report.fiscal_year == fiscal_year_of(timezone.localdate()) == annual_demo.report_year()
    assert report.state == AnnualReportState.DRAFT and report.summary == annual_demo.SUMMARY
    assert report.generated_by.username == "desk" and len(report.tables) > 3


def test_the_pages_make_the_same_few_queries_whatever_the_data(users, client_as, report, make_report):  # noqa: F811
    """6 queries for the report page, 5 for the list and the print page, 4 for the XLSX (session,
    user, report, the audit row…), with one report or three and with more cases."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> list[int]:
        client = client_as("chair")
        found = []
        for url in (reverse("stats:annual_list"), reverse("stats:annual_report", args=[YEAR]),
                    reverse("stats:annual_print", args=[YEAR]), reverse("stats:annual_xlsx", args=[YEAR])):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    for _n in range(5):
        make_report(users["staff"])
    services.generate(actor=users["desk"], fiscal_year=YEAR - 1)
    services.generate(actor=users["desk"], fiscal_year=YEAR - 2)
    services.regenerate(actor=users["desk"], report=report)
    assert counts() == before
    assert max(before) <= 8
