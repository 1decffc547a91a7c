"""The admin's 職員名簿 pages: upload → preview → apply, a stale preview refused, a bad file, and
nobody but the admin."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bench.roster import to_bytes, transfer
from organization.models import RosterImport, Section, User
from tests.organization.roster_fixtures import base_roster

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:organization_rosterimport_upload")
LIST = reverse("admin:organization_rosterimport_changelist")


def upload(client, data: bytes, name: str = "名簿.csv", partial: bool = False):
    form = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if partial:
        form["partial"] = "on"
    return client.post(UPLOAD, form)


def test_the_admin_uploads_previews_and_applies_without_uploading_twice(client_as):
    admin = client_as("admin")
    listing = admin.get(LIST).content.decode()
    assert "職員名簿を取り込む" in listing
    page = admin.get(UPLOAD)
    assert page.status_code == 200 and "部分更新" in page.content.decode()

    response = upload(admin, to_bytes(base_roster().rows, encoding="cp932"))
    record = RosterImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:organization_rosterimport_preview",
                                                                    args=[record.pk])
    assert record.state == RosterImport.State.PREVIEW and bytes(record.content)
    preview = admin.get(response.url)
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Shift_JIS（CP932）" in text and "職員の登録" in text and "この内容で反映する" in text
    assert not User.objects.filter(source="roster").exists()  # the preview writes nothing

    applied = admin.post(response.url, {"fingerprint": preview.context["plan"].fingerprint})
    assert applied.status_code == 302
    record.refresh_from_db()
    assert applied.url == reverse("admin:organization_rosterimport_result", args=[record.pk])
    assert record.state == RosterImport.State.APPLIED and record.actor.username == "admin"
    assert record.counts["user_created"] == 2000 and bytes(record.content) == b""
    assert User.objects.filter(source="roster").count() == 2000
    result = admin.get(applied.url).content.decode()
    assert "反映結果" in result and "職員の登録" in result
    # Posting the same preview again applies nothing twice.
    again = admin.post(response.url, {"fingerprint": record.fingerprint})
    assert again.status_code == 302 and RosterImport.objects.count() == 1


def test_a_preview_the_organisation_changed_under_is_shown_again_not_applied(client_as):
    admin = client_as("admin")
    base = base_roster()
    upload(admin, to_bytes(base.rows))
    first = RosterImport.objects.get()
    admin.post(reverse("admin:organization_rosterimport_preview", args=[first.pk]), {"fingerprint": first.fingerprint})

    upload(admin, to_bytes(transfer(base).rows))
    preview = RosterImport.objects.get(state=RosterImport.State.PREVIEW)
    url = reverse("admin:organization_rosterimport_preview", args=[preview.pk])
    seen = admin.get(url).context["plan"].fingerprint
    section = Section.objects.get(code="S0301")
    section.name = "市民総合窓口課"  # someone renames the 課 meanwhile
    section.save()

    stale = admin.post(url, {"fingerprint": seen})
    assert stale.status_code == 409
    assert "組織が変わったため、反映していません" in stale.content.decode()
    assert "市民総合窓口課" in stale.content.decode()  # the new preview: renamed from what it is now
    preview.refresh_from_db()
    assert preview.state == RosterImport.State.PREVIEW
    assert not User.objects.filter(employee_number__in=transfer(base).moved[:1],
                                   section__code=transfer(base).by_number()[transfer(base).moved[0]]["課コード"]).exists()
    assert admin.post(url, {"fingerprint": stale.context["plan"].fingerprint}).status_code == 302


def test_a_bad_file_gives_the_form_again_with_a_japanese_message(client_as):
    admin = client_as("admin")
    response = upload(admin, "氏名,所属\r\n山田,市民課\r\n".encode(), partial=True)
    text = response.content.decode()
    assert response.status_code == 400
    assert "見出しの行が見つかりません" in text
    assert 'aria-invalid="true"' in text
    assert 'name="partial" id="id_partial" checked' in text  # what was chosen stays chosen
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize("role", ["staff", "chief", "desk", "gadir"])
def test_only_the_admin_may_import(client_as, role):
    client = client_as(role)
    for url in (UPLOAD, LIST):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url
    response = upload(client, to_bytes(base_roster(200).rows))
    assert response.status_code == 302 and not RosterImport.objects.exists()


def test_the_generic_admin_cannot_add_change_or_delete_an_import(client_as, users):
    record = RosterImport.objects.create(filename="名簿.csv", sha256="0" * 64, state=RosterImport.State.APPLIED,
                                         actor=users["admin"])
    admin = client_as("admin")
    assert admin.get(reverse("admin:organization_rosterimport_add")).status_code == 403
    assert admin.get(reverse("admin:organization_rosterimport_delete", args=[record.pk])).status_code == 403
    change = admin.get(reverse("admin:organization_rosterimport_change", args=[record.pk]))
    assert change.status_code == 302 and change.url.endswith(f"/{record.pk}/result/")


def test_the_preview_lists_refused_rows_with_their_row_number_and_applies_the_rest(client_as):
    admin = client_as("admin")
    rows = [dict(r) for r in base_roster().rows[:30]]
    rows[6]["課コード"] = "課の番号"  # row 8
    upload(admin, to_bytes(rows), partial=True)
    record = RosterImport.objects.get()
    preview = admin.get(reverse("admin:organization_rosterimport_preview", args=[record.pk]))
    text = preview.content.decode()
    assert "取り込めない行（1 行）" in text
    assert '<th scope="row">8</th><td>' + rows[6]["職員番号"] in text and "「課コード」は英数字20文字まで" in text
    admin.post(reverse("admin:organization_rosterimport_preview", args=[record.pk]),
               {"fingerprint": preview.context["plan"].fingerprint})
    assert User.objects.filter(source="roster").count() == 29
    assert not User.objects.filter(employee_number=rows[6]["職員番号"]).exists()
