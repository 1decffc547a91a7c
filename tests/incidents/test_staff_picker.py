"""The 対応職員 picker of the report form (issue 8, item 7), server side: who is offered and in
which order, what a post may name, and what the page costs. Its behaviour in a browser (search,
keyboard, screen-reader announcements, phones) is in ``tests/e2e/test_staff_picker.py``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import selectors
from incidents.lifecycle import Status
from incidents.models import IncidentReport
from organization.models import Department, Section, User
from tests.incidents.html import Page

pytestmark = pytest.mark.django_db

REFUSED = "選べない職員が含まれています。ページを開き直して、対応職員を選び直してください。"
MALFORMED = "対応職員の指定が正しくありません。ページを開き直して、対応職員を選び直してください。"


def picker(page: Page):
    root = page.by_id("id_staff_members")
    assert root is not None and "data-staff-picker" in root.attrs
    return root


def offered(page: Page) -> list[str]:
    """The names the picker offers, in page order."""
    return [label.find("span").text for label in picker(page).find_all("label", class_="staff-picker-box")]


def groups(page: Page) -> list[str]:
    """The 課 headings of the picker, in page order."""
    return [group.find("legend").text for group in picker(page).find_all("fieldset")]


def chosen(page: Page) -> set[int]:
    return {int(box.attrs["value"]) for box in picker(page).find_all("input") if "checked" in box.attrs}


@pytest.fixture
def outsiders(users):
    """People who must not be offered: one who left, one with no 課 (besides the demo ``admin``)."""
    section = users["staff"].section
    return {
        "left": User.objects.create(username="left", display_name="退職 済子", section=section, is_active=False),
        "no_section": User.objects.create(username="nosection", display_name="所属 無し"),
        "admin": users["admin"],
    }


# -- who is offered, in which order --------------------------------------------------------------

def test_the_reporters_own_section_comes_first_then_the_organisations_order(client_as, users, colleague):
    page = Page(client_as("staff").get("/reports/new/").content)

    assert groups(page) == [
        "市民環境部 市民課 （あなたの課）",
        "総務部 総務課",
        "総務部 人事課",
        "市民環境部 生活環境課",
        "健康福祉部 福祉課",
    ]
    assert offered(page)[:3] == ["市民 同僚", "市民 課長", "窓口 花子"]
    # A 職員 of 福祉課 sees their own colleagues first, and 市民課 in its place.
    other = Page(client_as("staff2").get("/reports/new/").content)
    assert groups(other)[0] == "健康福祉部 福祉課 （あなたの課）"
    assert groups(other)[1:] == ["総務部 総務課", "総務部 人事課", "市民環境部 市民課", "市民環境部 生活環境課"]
    assert [u.username for u in selectors.staff_choices(users["staff2"])][:2] == ["staff2", "chief2"]


def test_admin_accounts_people_who_left_and_people_without_a_section_are_not_offered(client_as, users, outsiders):
    names = offered(Page(client_as("staff").get("/reports/new/").content))

    for person in outsiders.values():
        assert str(person) not in names
    # Everyone else of the city is: the committee and the 相談窓口 are colleagues too.
    assert {"委員 一郎", "委員 長", "総務 窓口", "福祉 太郎", "環境 部長"} <= set(names)
    assert len(names) == User.objects.count() - len(outsiders)


def test_the_reporter_is_chosen_on_a_new_report_and_marked_as_such(client_as, users):
    page = Page(client_as("staff").get("/reports/new/").content)

    assert chosen(page) == {users["staff"].pk}
    reporter_box = picker(page).find("input", value=str(users["staff"].pk))
    assert "data-reporter" in reporter_box.attrs
    assert "（報告者）" in reporter_box.parent.text


def test_the_search_box_is_a_combobox_that_is_never_posted(client_as):
    page = Page(client_as("staff").get("/reports/new/").content)

    search = picker(page).find("input", role="combobox")
    assert search.attrs["aria-expanded"] == "false"
    assert page.by_id(search.attrs["aria-controls"]).attrs["role"] == "listbox"
    assert "name" not in search.attrs
    assert picker(page).find(role="status") is not None  # the live region, there before anything is said
    # Pressing 下書き保存 now posts the reporter and nothing else.
    assert page.form_data()["staff_members"] == [str(User.objects.get(username="staff").pk)]


# -- what a post may name ------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["admin", "left", "no_section"])
def test_a_person_the_page_never_offered_is_refused_with_a_message(staff_client, users, outsiders, report_data, who):
    data = report_data(action="save", staff_members=[str(users["staff"].pk), str(outsiders[who].pk)])

    response = staff_client.post("/reports/new/", data)

    assert response.status_code == 400
    page = Page(response.content)
    assert page.error_for("staff_members") == REFUSED
    assert not IncidentReport.objects.exists()
    # What was typed is kept; the refused person is not shown as chosen.
    assert page.find("input", id="id_title").attrs["value"] == data["title"]
    assert chosen(page) == {users["staff"].pk}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999", REFUSED),  # nobody
        ("9" * 30, REFUSED),  # beyond any id the database holds
        ("１２", REFUSED),  # full-width digits: not what the page sends
        ("abc", MALFORMED),
        ("1;DROP TABLE", MALFORMED),
    ],
)
def test_an_unknown_or_malformed_id_is_refused_with_a_message_never_a_server_error(
    staff_client, users, report_data, value, message
):
    data = report_data(action="save", staff_members=[str(users["staff"].pk), value])

    response = staff_client.post("/reports/new/", data)

    assert response.status_code == 400
    assert Page(response.content).error_for("staff_members") == message
    assert not IncidentReport.objects.exists()


def test_the_chosen_people_are_saved_and_the_reporter_may_be_left_out_on_purpose(staff_client, users, report_data):
    data = report_data(action="save", staff_members=[str(users["chief"].pk), str(users["staff2"].pk)])

    response = staff_client.post("/reports/new/", data)

    assert response.status_code == 302
    assert set(IncidentReport.objects.get().staff_members.all()) == {users["chief"], users["staff2"]}


def test_an_edit_keeps_a_colleague_who_has_left_since(client_as, users, make_report, report_data):
    helper = User.objects.create(username="helper", display_name="応援 職員", section=users["staff"].section)
    draft = make_report(users["staff"], status=Status.DRAFT, staff=[users["staff"], helper])
    User.objects.filter(pk=helper.pk).update(is_active=False)
    client = client_as("staff")

    page = Page(client.get(f"/reports/{draft.pk}/edit/").content)

    assert chosen(page) == {users["staff"].pk, helper.pk}
    response = client.post(f"/reports/{draft.pk}/edit/", {
        **report_data(action="save", report=draft), "staff_members": [str(users["staff"].pk), str(helper.pk)],
    })
    assert response.status_code == 302, Page(response.content).error_for("staff_members")
    assert set(draft.staff_members.all()) == {users["staff"], helper}
    # A new report does not offer them.
    assert "応援 職員" not in offered(Page(client.get("/reports/new/").content))


# -- what the page costs -------------------------------------------------------------------------

def _queries(client, url) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content


@pytest.mark.parametrize("kind", ["new", "edit"])
def test_the_form_costs_the_same_queries_however_many_people_the_city_has(client_as, users, make_report, kind):
    client = client_as("staff")
    url = "/reports/new/"
    if kind == "edit":
        url = f"/reports/{make_report(users['staff'], status=Status.DRAFT).pk}/edit/"
    few, _page = _queries(client, url)

    department = Department.objects.create(name="教育部", order=9)
    for s in range(4):
        section = Section.objects.create(department=department, name=f"学校{s}課", order=s)
        User.objects.bulk_create(
            User(username=f"t{s}-{i}", display_name=f"教育 職員{s}-{i}", section=section) for i in range(40)
        )
    many, content = _queries(client, url)

    assert many == few
    demo_people = User.objects.filter(is_superuser=False).count() - 160  # every demo user but admin
    assert len(offered(Page(content))) == demo_people + 160


def test_the_picker_brings_its_own_script_and_style_from_this_server(staff_client):
    html = staff_client.get("/reports/new/").content.decode()

    assert '<script defer src="/static/js/staff_picker.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/css/staff_picker.css">' in html
