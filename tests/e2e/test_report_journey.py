"""The first journey of the product, in a real browser (Debian's Chromium through Playwright):
a staff member files a report, hits an error, fixes it without retyping, submits, finds it in
"my reports", prints it; a colleague from another 課 cannot open it. No request leaves 127.0.0.1.
"""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import IncidentReport
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A 1×1 PNG: real image bytes, so the content check accepts it.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_staff_files_a_report_fixes_an_error_without_retyping_and_prints_it(page_factory, live_server, users, types):
    page = page_factory()
    login(page, live_server, "staff")

    page.get_by_role("link", name="連絡票を書く").first.click()
    page.wait_for_url("**/reports/new/")

    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=3)
    end = start + timedelta(minutes=85)
    page.fill("#id_title", "窓口で大声で怒鳴られた")
    # Enter in a text box must not save anything by accident (下書き保存 is the form's first button).
    page.press("#id_title", "Enter")
    page.wait_for_timeout(300)
    assert page.url.endswith("/reports/new/") and not IncidentReport.objects.exists()
    page.fill("#id_occurred_start", local(start))
    page.fill("#id_occurred_end", local(end))
    assert page.inner_text("#duration") == "対応時間：1時間25分"  # shown while typing
    page.select_option("#id_channel", "counter")
    page.fill("#id_place", "本庁舎1階 市民課窓口")
    # The reporter is preselected as 対応職員.
    assert page.locator("#id_staff_members .staff-chip-name").all_inner_texts() == ["窓口 花子"]
    page.fill("#id_staff_count", "2")
    # 相手方の人数 left empty on purpose: the error to fix later.
    page.fill("#id_demand", "手数料を無料にしろ")
    page.fill("#id_conduct", "「馬鹿野郎」と大声で怒鳴った後に「お前の顔と名前をSNSに投稿するぞ」と言った。")
    page.get_by_label("3. 暴言型").check()
    page.get_by_label("4. 威嚇・脅迫型").check()
    # The playbook of each chosen 態様 shows beside the form.
    assert page.locator("#playbook .playbook-summary[data-code=verbal_abuse]").is_visible()
    assert page.locator("#playbook .playbook-summary[data-code=intimidation]").is_visible()
    page.get_by_label("要求を実現するための手段・態様が社会通念上不相当").check()

    # Three 経過 rows: one is there, two are added.
    page.click("#add-timeline-row")
    page.click("#add-timeline-row")
    steps = [
        (start, "warning", "暴言をやめるよう警告した"),
        (start + timedelta(minutes=20), "recording", "録音を開始すると告げて録音した"),
        (start + timedelta(minutes=80), "exit_request", "退去を求めた"),
    ]
    for i, (at, kind, text) in enumerate(steps):
        page.fill(f"#id_timeline-{i}-at", local(at))
        page.select_option(f"#id_timeline-{i}-kind", kind)
        page.fill(f"#id_timeline-{i}-description", text)
        page.fill(f"#id_timeline-{i}-actor_name", "窓口 花子")
    page.set_input_files("#id_evidence", files=[{"name": "counter.png", "mimeType": "image/png", "buffer": PNG}])

    page.get_by_role("button", name="提出する").click()

    # The error is shown beside its field, and nothing typed is lost.
    error = page.locator("#id_counterpart_count").locator("xpath=..").locator(".invalid-feedback")
    assert "相手方の人数は1以上にしてください。" in error.inner_text()
    assert page.input_value("#id_title") == "窓口で大声で怒鳴られた"
    assert page.input_value("#id_occurred_start") == local(start)
    assert page.input_value("#id_conduct").startswith("「馬鹿野郎」")
    assert page.get_by_label("3. 暴言型").is_checked()
    assert page.get_by_label("4. 威嚇・脅迫型").is_checked()
    for i, (_at, _kind, text) in enumerate(steps):
        assert page.input_value(f"#id_timeline-{i}-description") == text
    assert "counter.png" in page.locator("#attachment-list").inner_text()
    assert IncidentReport.objects.count() == 0

    # Fix the one field and submit, without choosing the file again.
    page.fill("#id_counterpart_count", "1")
    page.get_by_role("button", name="提出する").click()
    page.wait_for_load_state()
    assert not page.locator(".invalid-feedback").count(), page.locator(".invalid-feedback, .alert").all_inner_texts()
    page.wait_for_url("**/reports/*/")
    assert "連絡票を提出しました" in page.content(), page.locator(".invalid-feedback, .alert").all_inner_texts()

    report = IncidentReport.objects.get()
    assert report.status == Status.SUBMITTED
    assert report.timeline.count() == 3
    assert report.attachments.count() == 1
    assert sorted(report.harassment_types.values_list("code", flat=True)) == ["intimidation", "verbal_abuse"]
    assert page.get_by_role("link", name="暴言型").get_attribute("href") == "/manual/types/verbal_abuse/"

    # My reports lists it; the print view lays it out with 和暦 and the Western date.
    page.get_by_role("link", name="私の連絡票").first.click()
    page.wait_for_url("**/reports/")
    assert page.get_by_role("link", name="窓口で大声で怒鳴られた").is_visible()
    page.goto(f"{live_server.url}/reports/{report.pk}/print/")
    text = page.locator("main").inner_text()
    assert "カスタマーハラスメント発生連絡票" in text
    assert "令和" in text and f"({timezone.localtime(start):%Y-%m-%d})" in text
    assert "1時間25分" in text

    # A colleague from another 課 gets "not found", not a hint that it exists.
    other = page_factory()
    login(other, live_server, "staff2")
    response = other.goto(f"{live_server.url}/reports/{report.pk}/")
    assert response.status == 404
    response = other.goto(f"{live_server.url}/reports/{report.pk}/print/")
    assert response.status == 404

    assert page.outside_requests == [], page.outside_requests
