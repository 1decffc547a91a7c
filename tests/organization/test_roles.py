"""Separation of duties (issue 14): roles change only through ``organization.roles`` — recorded,
announced to the 相談窓口 and the other admins — and an admin cannot give themselves a role that
reads reports: ticking a box does nothing, the role page refuses, a second admin must do it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from incidents.lifecycle import Status
from incidents.models import Channel, IncidentReport
from notifications.kinds import Kind
from notifications.models import Notice
from notifications.render import render
from organization import roles
from organization.models import RoleEvent, User
from tests.organization.test_admin_organization import user_form
from tests.organization.test_directory import city as directory_city

city = directory_city  # the directory test's fixture (the demo city with the directory's 課)

REFUSED = "ご自身にこの役割を付けることはできません。別の管理者に依頼してください。"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def report(users) -> IncidentReport:
    from django.utils import timezone

    now = timezone.now()
    return IncidentReport.objects.create(
        reporter=users["staff"], section=users["staff"].section, status=Status.SUBMITTED, title="窓口での大声",
        occurred_start=now, occurred_end=now, channel=Channel.COUNTER, staff_count=1, counterpart_count=1,
        demand="手数料の免除", conduct="大声で怒鳴った。", submitted_at=now,
    )


@pytest.fixture
def second_admin(users) -> User:
    return User.objects.create(username="admin2", display_name="第二 管理者", section=users["admin"].section,
                               is_staff=True, is_superuser=True)


def roles_page(user: User) -> str:
    return reverse("admin:organization_user_roles", args=[user.pk])


def test_admin_cannot_reach_a_report_by_ticking_a_box(users, report, second_admin):
    admin = users["admin"]
    client = signed_in(admin)
    detail = reverse("incidents:detail", args=[report.pk])
    assert client.get(detail).status_code == 404

    # The user change form: the role boxes are read-only, so a forged 「相談窓口」 changes nothing.
    response = client.post(f"/admin/organization/user/{admin.pk}/change/", user_form(admin, is_desk="on"))
    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.is_desk
    page = client.get(f"/admin/organization/user/{admin.pk}/change/").content.decode()
    assert 'name="is_desk"' not in page and 'name="is_superuser"' not in page and roles_page(admin) in page

    # The role page refuses to grant it to oneself, with the reason in Japanese.
    response = client.post(roles_page(admin), {"role": "desk", "action": "grant", "reason": "相談窓口の応援"})
    assert response.status_code == 200 and REFUSED in response.content.decode()
    admin.refresh_from_db()
    assert not admin.is_desk
    assert not RoleEvent.objects.exists()
    assert client.get(detail).status_code == 404

    # A second admin grants it: recorded with who, to whom, which role, why; the desk and the other
    # admins hear of it (not the one who did it).
    response = signed_in(second_admin).post(roles_page(admin), {"role": "desk", "action": "grant",
                                                                "reason": "相談窓口の応援（4月）"})
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.is_desk
    event = RoleEvent.objects.get()
    assert (event.actor, event.user, event.role, event.action, event.reason) == (
        second_admin, admin, "desk", RoleEvent.Action.GRANTED, "相談窓口の応援（4月）")
    assert event.ip_address == "127.0.0.1"
    notices = Notice.objects.filter(kind=Kind.ROLE_CHANGED)
    recipients = set(notices.values_list("recipient__username", flat=True))
    assert {"desk", "desk2", "admin"} <= recipients and "admin2" not in recipients
    text = render(notices.first())
    assert text.subject == "役割が変更されました（システム 管理者・相談窓口・付与）"
    assert "相談窓口の応援" not in text.body  # the person and the role, nothing else
    assert client.get(detail).status_code == 200


@pytest.mark.parametrize("role", sorted(roles.READING_ROLES))
def test_the_service_refuses_every_reading_role_to_oneself(users, role):
    admin = users["admin"]
    with pytest.raises(roles.RoleRefused) as refused:
        roles.grant_role(actor=admin, user=admin, role=role, reason="自分で")
    assert refused.value.message == REFUSED
    admin.refresh_from_db()
    assert not getattr(admin, roles.ROLE_FLAGS[role][0])
    assert not RoleEvent.objects.exists()


def test_withdrawing_ones_own_role_is_allowed_and_recorded(users):
    admin = users["admin"]
    event = roles.withdraw_role(actor=admin, user=admin, role="superuser", reason="権限の整理")
    admin.refresh_from_db()
    assert not admin.is_superuser and admin.is_staff
    assert event.action == RoleEvent.Action.WITHDRAWN and event.actor == admin


def test_a_reason_is_required_and_nothing_changes_without_it(users):
    client = signed_in(users["admin"])
    staff = users["staff"]
    response = client.post(roles_page(staff), {"role": "committee_member", "action": "grant", "reason": " "})
    assert response.status_code == 200 and "理由を入力してください。" in response.content.decode()
    staff.refresh_from_db()
    assert not staff.is_committee_member
    with pytest.raises(ValidationError):
        roles.grant_role(actor=users["admin"], user=staff, role="committee_member", reason="")


def test_only_an_admin_changes_roles(users):
    with pytest.raises(roles.RoleRefused):
        roles.grant_role(actor=users["desk"], user=users["staff"], role="desk", reason="応援")
    assert signed_in(users["desk"]).get(roles_page(users["staff"])).status_code == 302  # to the admin login
    assert not User.objects.get(pk=users["staff"].pk).is_desk


def test_granting_a_held_role_again_records_nothing(users):
    assert roles.grant_role(actor=users["admin"], user=users["desk"], role="desk", reason="再確認") is None
    assert not RoleEvent.objects.exists()


def test_the_auditor_role_is_granted_by_another_admin_and_shows_among_roles(users):
    staff = users["staff"]
    roles.grant_role(actor=users["admin"], user=staff, role="auditor", reason="監査委員事務局")
    staff.refresh_from_db()
    assert staff.is_auditor and "auditor" in staff.roles


def test_the_add_user_form_has_no_roles(users):
    page = signed_in(users["admin"]).get("/admin/organization/user/add/").content.decode()
    for flag in ("is_desk", "is_section_chief", "is_auditor", "is_staff", "is_superuser"):
        assert f'name="{flag}"' not in page, flag


def test_role_events_cannot_be_changed_or_deleted_in_the_admin(users):
    event = roles.grant_role(actor=users["admin"], user=users["staff"], role="committee_member",
                             reason="委員の委嘱")
    client = signed_in(users["admin"])
    listing = client.get("/admin/organization/roleevent/")
    assert listing.status_code == 200 and "委員の委嘱" in listing.content.decode()
    assert client.post(f"/admin/organization/roleevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/organization/roleevent/{event.pk}/change/", {"reason": "書き換え"})
    assert RoleEvent.objects.get(pk=event.pk).reason == "委員の委嘱"


# -- the bulk paths: the 職員名簿 import and the directory's groups record their role changes too ----

def test_the_roster_import_records_each_role_it_grants_and_withdraws(users):
    from organization import roster as importer
    from tests.organization.roster_fixtures import base_roster, csv_bytes, leavers

    base = base_roster()
    importer.apply_import(data=csv_bytes(base), actor=users["admin"], filename="名簿.csv")
    granted = RoleEvent.objects.filter(action=RoleEvent.Action.GRANTED)
    held = sum(User.objects.filter(source="roster", **{flag: True}).count()
               for _code, (flag, _label) in roles.ROLE_FLAGS.items())
    assert granted.count() == held > 80
    assert set(granted.values_list("actor__username", "reason").distinct()) == {("admin", "職員名簿の取込み")}
    chief = User.objects.get(employee_number=base.chiefs["S0301"])
    assert granted.filter(user=chief, role="section_chief").exists()
    assert not Notice.objects.filter(kind=Kind.ROLE_CHANGED).exists()  # a bulk import is not announced per person

    gone = leavers(base, seed=1)
    importer.apply_import(data=csv_bytes(gone), actor=users["admin"], filename="名簿（退職）.csv")
    withdrawn = RoleEvent.objects.filter(action=RoleEvent.Action.WITHDRAWN)
    left_with_roles = [u for u in User.objects.filter(source="roster", is_active=False)
                       if granted.filter(user=u).exists()]
    assert {e.user_id for e in withdrawn} == {u.pk for u in left_with_roles}


def test_the_directorys_groups_record_the_roles_they_change(city, directory_settings):
    from tests.organization.test_directory import sign_in

    directory = directory_settings()
    sign_in("tanaka", "tanaka-pass")
    tanaka = User.objects.get(username="tanaka")
    first = RoleEvent.objects.get(user=tanaka)
    assert (first.role, first.action, first.actor, first.reason) == (
        "section_chief", RoleEvent.Action.GRANTED, None, "ディレクトリのグループ")
    sign_in("tanaka", "tanaka-pass")
    assert RoleEvent.objects.filter(user=tanaka).count() == 1  # nothing changed, nothing recorded
    directory.set_member("kasuhara-chiefs", directory.people["tanaka"], False)
    sign_in("tanaka", "tanaka-pass")
    assert RoleEvent.objects.filter(user=tanaka).latest("id").action == RoleEvent.Action.WITHDRAWN
