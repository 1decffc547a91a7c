"""The admin screens of the organisation (issue 13): nothing is deleted, one 所属長 or several per 課
as the city decides, 代理 periods with Japanese messages, and the columns an admin needs."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from organization.models import AccountSource, ActingAssignment, Department, Section, User
from organization.policies import chief_conflict
from tests.helpers import with_changes


@pytest.fixture
def admin_client(users) -> Client:
    client = Client()
    client.force_login(users["admin"])
    return client


@pytest.fixture
def sections(users) -> dict[str, Section]:
    return {s.name: s for s in Section.objects.all()}


def user_form(user: User, **changes) -> dict:
    """The user's change page as posted (roles as ticked boxes; no 代理 rows added)."""
    data = {
        "username": user.username, "display_name": user.display_name, "employee_number": user.employee_number,
        "email": user.email, "section": user.section_id or "", "is_active": "on",
        "acting-TOTAL_FORMS": "0", "acting-INITIAL_FORMS": "0", "acting-MIN_NUM_FORMS": "0",
        "acting-MAX_NUM_FORMS": "1000",
    }
    for flag in ("is_section_chief", "is_director", "is_desk", "is_ga_director", "is_committee_member",
                 "is_committee_chair", "is_health_office", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    return with_changes(data, changes)


def acting_form(user: User, **changes) -> dict:
    today = timezone.localdate()
    data = {"user": user.pk, "kind": "section_chief", "section": "", "department": "",
            "starts_on": f"{today:%Y-%m-%d}", "ends_on": f"{today + datetime.timedelta(days=7):%Y-%m-%d}",
            "reason": "課長の休暇中"}
    data.update(changes)
    return data


# -- one 所属長 or several --------------------------------------------------------------------------

def test_in_one_chief_mode_the_admin_refuses_a_second_chief_naming_the_holder(users, admin_client, settings):
    settings.KASUHARA_SECTION_CHIEFS = "one"
    staff = users["staff"]  # 市民課, whose 所属長 is 「市民 課長」
    # Roles change on 「役割を変更」 only (organization.roles; tests/organization/test_roles.py).
    response = admin_client.post(f"/admin/organization/user/{staff.pk}/roles/",
                                 {"role": "section_chief", "action": "grant", "reason": "人事異動"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "の所属長はすでに 市民 課長 さんです" in page and "「所属長」を外して" in page
    staff.refresh_from_db()
    assert not staff.is_section_chief


def test_in_several_chiefs_mode_a_second_chief_is_saved(users, admin_client, settings):
    settings.KASUHARA_SECTION_CHIEFS = "several"
    staff = users["staff"]
    response = admin_client.post(f"/admin/organization/user/{staff.pk}/roles/",
                                 {"role": "section_chief", "action": "grant", "reason": "人事異動"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.is_section_chief


def test_the_holder_moving_the_role_on_is_not_refused_by_themselves(users, admin_client, settings):
    settings.KASUHARA_SECTION_CHIEFS = "one"
    chief = users["chief"]
    response = admin_client.post(f"/admin/organization/user/{chief.pk}/change/",
                                 user_form(chief, display_name="市民 新課長"))
    assert response.status_code == 302


def test_chief_conflict_counts_active_holders_only_and_not_a_deputy(users, sections, settings):
    citizens = sections["市民課"]
    settings.KASUHARA_SECTION_CHIEFS = "several"
    assert chief_conflict(users["staff"], citizens) is None
    settings.KASUHARA_SECTION_CHIEFS = "one"
    assert chief_conflict(users["staff"], citizens) == users["chief"]
    assert chief_conflict(users["staff"], citizens.pk) == users["chief"]
    assert chief_conflict(users["chief"], citizens) is None  # not in their own way
    assert chief_conflict(User(username="new"), citizens) == users["chief"]  # an account not yet saved
    ActingAssignment.objects.create(user=users["staff2"], section=citizens, starts_on=timezone.localdate(),
                                    ends_on=timezone.localdate())
    users["chief"].is_active = False
    users["chief"].save()
    assert chief_conflict(users["staff"], citizens) is None  # a leaver holds nothing; a 代理 is no holder


# -- nothing is deleted ------------------------------------------------------------------------------

@pytest.mark.parametrize("model", ["user", "section", "department"])
def test_nobody_deletes_a_user_section_or_department(users, sections, admin_client, model):
    obj = {"user": users["staff"], "section": sections["市民課"], "department": sections["市民課"].department}[model]
    change = admin_client.get(f"/admin/organization/{model}/{obj.pk}/change/").content.decode()
    assert f"/admin/organization/{model}/{obj.pk}/delete/" not in change
    assert admin_client.post(f"/admin/organization/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = admin_client.get(f"/admin/organization/{model}/").content.decode()
    assert "delete_selected" not in listing
    assert type(obj).objects.filter(pk=obj.pk).exists()


# -- what the screens show --------------------------------------------------------------------------

def test_the_user_admin_shows_employee_number_source_every_role_and_the_acting_periods(users, sections, admin_client):
    staff = users["staff"]
    User.objects.filter(pk=staff.pk).update(employee_number="A1001", source=AccountSource.ROSTER)
    ActingAssignment.objects.create(user=staff, section=sections["福祉課"], reason="課長の休暇中",
                                    starts_on=timezone.localdate(), ends_on=timezone.localdate())
    page = admin_client.get(f"/admin/organization/user/{staff.pk}/change/").content.decode()
    for label in ("職員番号", "登録元", "職員名簿", "総務部長", "職員保健室（保健師）", "所属長（課長・係長）",
                  "代理（期間を決めて所属長・部長を代わる）", "課長の休暇中"):
        assert label in page, label
    assert 'name="source"' not in page  # read-only: set by where the account came from
    listing = admin_client.get("/admin/organization/user/?q=A1001").content.decode()
    assert "A1001" in listing and "窓口 花子" in listing and "市民 課長" not in listing


def test_the_section_admin_shows_code_existence_and_where_an_abolished_sections_reports_go(
        users, sections, admin_client):
    old = Section.objects.create(department=sections["市民課"].department, name="旧窓口課", code="S900",
                                 is_active=False, successor=sections["市民課"])
    listing = admin_client.get("/admin/organization/section/?is_active__exact=0").content.decode()
    assert "旧窓口課" in listing and "S900" in listing and "市民環境部 市民課" in listing
    assert "福祉課" not in listing
    # 引継ぎ先 only for an abolished 課.
    citizens = sections["市民課"]
    response = admin_client.post(f"/admin/organization/section/{sections['福祉課'].pk}/change/", {
        "department": sections["福祉課"].department_id, "name": "福祉課", "code": "", "is_active": "on",
        "successor": citizens.pk, "order": 1})
    assert response.status_code == 200 and "引継ぎ先は廃止した課にだけ設定できます" in response.content.decode()
    assert old.current_id == citizens.pk


def test_the_department_admin_has_code_and_existence(users, admin_client):
    Department.objects.create(name="旧企画部", code="D90", is_active=False)
    listing = admin_client.get("/admin/organization/department/?is_active__exact=0").content.decode()
    assert "旧企画部" in listing and "D90" in listing and "総務部" not in listing


# -- 代理 --------------------------------------------------------------------------------------------

def test_an_acting_period_is_saved_with_who_entered_it(users, sections, admin_client):
    response = admin_client.post("/admin/organization/actingassignment/add/",
                                 acting_form(users["staff2"], section=sections["福祉課"].pk))
    assert response.status_code == 302
    acting = ActingAssignment.objects.get()
    assert acting.created_by == users["admin"] and acting.section == sections["福祉課"]
    listing = admin_client.get("/admin/organization/actingassignment/?period=now").content.decode()
    assert "福祉 太郎" in listing and "icon-yes" in listing  # 現在有効


@pytest.mark.parametrize(("case", "message"), [
    ("ends_before_it_starts", "終了日は開始日より後（同じ日も可）にしてください。"),
    ("chief_without_section", "所属長の代理では、代理する課を選んでください。"),
    ("chief_with_department", "所属長の代理では部は選びません"),
    ("director_with_section", "部長の代理では課は選びません"),
    ("inactive_person", "無効（停止）になっています"),
    ("abolished_section", "廃止した課です"),
])
def test_an_acting_period_that_cannot_be_is_refused_in_japanese(users, sections, admin_client, case, message):
    welfare = sections["福祉課"]
    person = users["staff2"]
    today = timezone.localdate()
    changes = {
        "ends_before_it_starts": {"section": welfare.pk, "ends_on": f"{today - datetime.timedelta(days=1):%Y-%m-%d}"},
        "chief_without_section": {},
        "chief_with_department": {"section": welfare.pk, "department": welfare.department_id},
        "director_with_section": {"kind": "director", "section": welfare.pk, "department": welfare.department_id},
        "inactive_person": {"section": welfare.pk},
        "abolished_section": {"section": welfare.pk},
    }[case]
    if case == "inactive_person":
        User.objects.filter(pk=person.pk).update(is_active=False)
    if case == "abolished_section":
        Section.objects.filter(pk=welfare.pk).update(is_active=False)
    response = admin_client.post("/admin/organization/actingassignment/add/", acting_form(person, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ActingAssignment.objects.exists()


def test_an_acting_period_entered_on_the_users_page_records_who_entered_it(users, sections, admin_client):
    staff2 = users["staff2"]
    today = timezone.localdate()
    data = user_form(staff2, **{
        "acting-TOTAL_FORMS": "1", "acting-0-kind": "section_chief", "acting-0-section": sections["福祉課"].pk,
        "acting-0-department": "", "acting-0-starts_on": f"{today:%Y-%m-%d}",
        "acting-0-ends_on": f"{today:%Y-%m-%d}", "acting-0-reason": "課長の出張中"})
    response = admin_client.post(f"/admin/organization/user/{staff2.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    acting = ActingAssignment.objects.get()
    assert acting.user == staff2 and acting.created_by == users["admin"]
    staff2 = User.objects.get(pk=staff2.pk)
    assert staff2.acts_as_section_chief


def test_a_past_acting_period_cannot_be_deleted_a_future_one_can(users, sections, admin_client):
    today = timezone.localdate()
    past = ActingAssignment.objects.create(user=users["staff2"], section=sections["福祉課"],
                                           starts_on=today - datetime.timedelta(days=9),
                                           ends_on=today - datetime.timedelta(days=2))
    future = ActingAssignment.objects.create(user=users["staff2"], section=sections["福祉課"],
                                             starts_on=today + datetime.timedelta(days=2),
                                             ends_on=today + datetime.timedelta(days=9))
    assert admin_client.post(f"/admin/organization/actingassignment/{past.pk}/delete/",
                             {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/organization/actingassignment/{future.pk}/delete/",
                             {"post": "yes"}).status_code == 302
    assert list(ActingAssignment.objects.all()) == [past]
