"""Evidence attachments (録音・写真・PDF): judged by their content, kept outside static/, served only
through the policy, kept across a refused form, and cleaned up when nobody claimed them."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from incidents import services
from incidents.lifecycle import Status
from incidents.models import Attachment, IncidentReport
from tests.incidents.conftest import pdf_bytes, png_bytes, wav_bytes
from tests.incidents.html import Page

STATIC_DIR = Path(django_settings.BASE_DIR) / "static"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    # The browser's claimed type is deliberately useless: only the bytes count.
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "content_type", "kind"),
    [
        ("窓口の様子.png", png_bytes(), "image/png", "image"),
        ("SNS投稿.pdf", pdf_bytes(), "application/pdf", "pdf"),
        ("通話録音.wav", wav_bytes(), "audio/x-wav", "audio"),
    ],
    ids=["photo", "pdf", "recording"],
)
def test_evidence_is_stored_privately_and_downloaded_through_the_policy(
    staff_client, settings, report_data, name, content, content_type, kind
):
    response = staff_client.post("/reports/new/", {**report_data(), "evidence": upload(name, content)})

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.report == IncidentReport.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.kind, attachment.size) == (
        name, content_type, kind, len(content),
    )
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(settings.STORAGES["default"]["OPTIONS"]["location"]).resolve())
    assert not stored.is_relative_to(STATIC_DIR.resolve())
    assert Path(name).stem not in str(stored)  # the stored name never carries the uploaded one
    assert stored.read_bytes() == content

    download = staff_client.get(f"/reports/evidence/{attachment.pk}/")

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_text_file_named_like_a_photo_is_refused_by_name(staff_client, report_data):
    data = {**report_data(), "evidence": upload("evil.png", b"<script>alert(1)</script>\n" * 20, "image/png")}

    page = Page(staff_client.post("/reports/new/", data).content)

    assert page.error_for("evidence") == (
        "「evil.png」は添付できない形式です。音声（MP3・M4A・WAV など）、画像（JPEG・PNG など）、"
        "PDF のみ添付できます（拡張子ではなくファイルの中身で判定しています）。"
    )
    assert not Attachment.objects.exists()
    assert not IncidentReport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(staff_client, settings, report_data):
    settings.KASUHARA_MAX_UPLOAD_MB = 1
    big = png_bytes() + b"\x00" * int(1.1 * 1024 * 1024)

    response = staff_client.post("/reports/new/", {**report_data(), "evidence": upload("big.png", big)})

    assert response.status_code == 400
    assert Page(response.content).error_for("evidence") == "「big.png」は大きすぎます（1ファイル 1 MB まで）。"
    assert not Attachment.objects.exists()


def test_a_file_just_under_the_limit_is_accepted(staff_client, settings, report_data):
    settings.KASUHARA_MAX_UPLOAD_MB = 1
    almost = png_bytes() + b"\x00" * (1024 * 1024 - len(png_bytes()))

    response = staff_client.post("/reports/new/", {**report_data(), "evidence": upload("almost.png", almost)})

    assert response.status_code == 302
    assert Attachment.objects.get().size == 1024 * 1024


def test_a_refused_submit_keeps_the_file_so_nobody_chooses_it_again(staff_client, users, report_data):
    refused = staff_client.post(
        "/reports/new/", {**report_data(title=""), "evidence": upload("録音.wav", wav_bytes())}
    )

    assert refused.status_code == 400
    staged = Attachment.objects.get()
    assert (staged.report, staged.uploaded_by) == (None, users["staff"])
    page = Page(refused.content)
    listed = page.by_id("attachment-list")
    assert "録音.wav" in listed.text
    assert "受け付け済み" in listed.text
    assert page.form_data()["staged"] == [str(staged.pk)]

    # The user types the title and submits the form as it came back, without the file.
    again = {**page.form_data(), "title": ["件名を入れた"], "action": ["submit"]}
    response = staff_client.post("/reports/new/", again)

    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert report.status == Status.SUBMITTED
    assert list(report.attachments.all()) == [staged]
    assert Attachment.objects.count() == 1
    detail = staff_client.get(f"/reports/{report.pk}/")
    assert (f"/reports/evidence/{staged.pk}/", "録音.wav") in Page(detail.content).links()


def test_a_good_file_sent_with_a_refused_one_is_kept(staff_client, users, report_data):
    files = [upload("写真.png", png_bytes()), upload("evil.png", b"not an image at all" * 10)]

    response = staff_client.post("/reports/new/", {**report_data(), "evidence": files})

    assert response.status_code == 400
    page = Page(response.content)
    assert page.error_for("evidence").startswith("「evil.png」は添付できない形式です。")
    kept = Attachment.objects.get()
    assert (kept.original_name, kept.report) == ("写真.png", None)
    assert "写真.png" in page.by_id("attachment-list").text
    assert page.form_data()["staged"] == [str(kept.pk)]


def test_someone_elses_staged_file_cannot_be_claimed(client, users, report_data):
    client.force_login(users["staff2"])
    client.post("/reports/new/", {**report_data(title=""), "evidence": upload("staff2の写真.png", png_bytes())})
    theirs = Attachment.objects.get()
    assert theirs.report is None

    client.force_login(users["staff"])
    response = client.post("/reports/new/", {**report_data(), "staged": str(theirs.pk)})

    assert response.status_code == 302
    assert not IncidentReport.objects.get().attachments.exists()
    theirs.refresh_from_db()
    assert (theirs.report, theirs.uploaded_by) == (None, users["staff2"])
    assert client.get(f"/reports/evidence/{theirs.pk}/").status_code == 404
    client.force_login(users["staff2"])
    assert client.get(f"/reports/evidence/{theirs.pk}/").status_code == 200


def test_stale_staged_files_are_purged_with_their_bytes(users, make_report, make_attachment):
    staff = users["staff"]
    now = timezone.now()
    stale = make_attachment(uploader=staff, uploaded_at=now - timedelta(days=1, minutes=1))
    fresh = make_attachment(uploader=staff, uploaded_at=now - timedelta(hours=23))
    claimed = make_attachment(uploader=staff, report=make_report(staff), uploaded_at=now - timedelta(days=30))
    stale_path = Path(stale.file.path)
    assert stale_path.exists()

    assert services.purge_stale_staged(now=now) == 1

    assert set(Attachment.objects.all()) == {fresh, claimed}
    assert not stale_path.exists()
    assert Path(fresh.file.path).exists()
    assert Path(claimed.file.path).exists()


# -- the periodic task, through Redis and a real worker --------------------------------------------------

@pytest.fixture
def celery_worker_on_redis(redis_broker_url):
    """kasuhara.celery.app pointed at the Redis broker, with a worker thread on a queue of its own
    (so no other test run sharing that Redis takes our task, and we take none of theirs)."""
    url = redis_broker_url
    from celery.backends.redis import RedisBackend
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from kasuhara.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    queues = app.amqp.queues
    saved_consume_from = queues._consume_from
    queue = f"test-incidents-{uuid.uuid4().hex}"
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)

    def close_worker_connections(**_):
        connections.close_all()  # the worker thread's own database connection

    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", queues=[queue], shutdown_timeout=30):
            yield app, queue, RedisBackend(app=app, url=url)
    finally:
        task_postrun.disconnect(close_worker_connections)
        redis.Redis.from_url(url).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        queues._consume_from = saved_consume_from
        queues.pop(queue, None)
        app.conf.update(saved)


@pytest.mark.redis
def test_the_hourly_purge_runs_on_the_worker_through_redis(
    redis_broker_url, committed_db, users, make_attachment, celery_worker_on_redis
):
    from celery.result import AsyncResult

    from incidents.tasks import purge_stale_staged_attachments

    app, queue, results = celery_worker_on_redis
    stale = make_attachment(uploader=users["staff"], uploaded_at=timezone.now() - timedelta(days=2))
    fresh = make_attachment(uploader=users["staff"])
    stale_path = Path(stale.file.path)

    sent = purge_stale_staged_attachments.apply_async(queue=queue)

    result = AsyncResult(sent.id, app=app, backend=results)
    assert result.get(timeout=10) == 1
    result.forget()
    deadline = time.monotonic() + 5
    while Attachment.objects.filter(pk=stale.pk).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(Attachment.objects.all()) == [fresh]
    assert not stale_path.exists()
