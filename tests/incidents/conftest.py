"""Fixtures of the incidents tests: a few more people, reports in every state, evidence files,
and the form data a browser sends for a complete 発生連絡票."""

from __future__ import annotations

import io
import os
import struct
import wave
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import Attachment, Channel, IncidentReport, TimelineEntry
from tests.helpers import require_or_fail, uses_postgres, with_changes

JST = ZoneInfo("Asia/Tokyo")
#: The incident of the sample report: 令和7年6月18日 08:30–09:55 (1時間25分). 08:30 JST is still
#: 17 June in UTC, so a page that forgot the local date would show the wrong day.
START = datetime(2025, 6, 18, 8, 30, tzinfo=JST)
END = datetime(2025, 6, 18, 9, 55, tzinfo=JST)


def local(value: datetime) -> str:
    """A datetime as the browser's datetime-local input sends it."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# -- services and committed transactions ---------------------------------------------------------

@pytest.fixture
def postgres():
    """Request it first: the test needs PostgreSQL (skipped locally, a failure on CI)."""
    require_or_fail(uses_postgres(), "PostgreSQL")


@pytest.fixture
def redis_broker_url() -> str:
    """Request it first: the test needs the Redis broker (skipped locally, a failure on CI)."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    require_or_fail(url.startswith("redis://"), "Redis broker (CELERY_BROKER_URL)")
    return url


@pytest.fixture
def committed_db(transactional_db):
    """What the test writes is committed, so other threads (a Celery worker) see it; the shared
    conftest brings back the migrated data before each such test."""


# -- people ------------------------------------------------------------------------------------

@pytest.fixture
def colleague(users):
    """Another 職員 of 市民課, the 課 of ``staff`` and ``chief``."""
    from organization.models import User

    return User.objects.create(username="colleague", display_name="市民 同僚", section=users["staff"].section)


@pytest.fixture
def neighbour(users):
    """A 職員 of 生活環境課: same 部 (市民環境部) as ``staff``, another 課."""
    from organization.models import User

    section = users["director"].section
    assert section.name == "生活環境課"
    return User.objects.create(username="neighbour", display_name="環境 職員", section=section)


# -- reports -----------------------------------------------------------------------------------

@pytest.fixture
def make_report(types):
    """A complete report (everything submit needs), by default submitted, naming its reporter."""

    def make(reporter, *, status=Status.SUBMITTED, staff=None, type_codes=("verbal_abuse",), **fields):
        values = {
            "title": "電話で「馬鹿野郎」と怒鳴られた",
            "occurred_start": START,
            "occurred_end": END,
            "channel": Channel.PHONE,
            "staff_count": 1,
            "counterpart_count": 1,
            "demand": "担当者を替えること",
            "conduct": "「馬鹿野郎」「お前じゃ話にならない」と大声で繰り返し怒鳴った。",
            "ground_inappropriate_means": True,
            "submitted_at": END + timedelta(hours=1) if status != Status.DRAFT else None,
        }
        values.update(fields)
        report = IncidentReport.objects.create(reporter=reporter, section=reporter.section, status=status, **values)
        report.staff_members.set(staff if staff is not None else [reporter])
        report.harassment_types.set([types[code] for code in type_codes])
        TimelineEntry.objects.create(report=report, at=START, kind="warning", description="言動をやめるよう警告")
        return report

    return make


# -- evidence ----------------------------------------------------------------------------------

def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A minimal one-page PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def wav_bytes() -> bytes:
    """A tenth of a second of silence, as a real WAV recording."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


@pytest.fixture
def make_attachment():
    """An evidence file stored as the upload view stores it (staged when ``report`` is None)."""

    def make(*, uploader, report=None, content: bytes | None = None, name="photo.png",
             content_type="image/png", kind="image", uploaded_at=None):
        content = png_bytes() if content is None else content
        attachment = Attachment(
            report=report, uploaded_by=uploader, uploaded_at=uploaded_at or timezone.now(),
            original_name=name, content_type=content_type, kind=kind, size=len(content),
        )
        attachment.file.save(name, ContentFile(content), save=False)
        attachment.save()
        return attachment

    return make


# -- what the browser posts ----------------------------------------------------------------------

def timeline_rows(rows: list[dict[str, str]], *, initial: int = 0, blank_rows: int = 1) -> dict[str, str]:
    """The 経過 formset as posted: the given rows, then untouched blank rows (kind stays その他)."""
    data = {
        "timeline-TOTAL_FORMS": str(len(rows) + blank_rows),
        "timeline-INITIAL_FORMS": str(initial),
        "timeline-MIN_NUM_FORMS": "0",
        "timeline-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate([*rows, *({} for _ in range(blank_rows))]):
        data[f"timeline-{i}-kind"] = row.get("kind", "other")
        for key in ("at", "description", "actor_name", "outside_window_reason", "id"):
            data[f"timeline-{i}-{key}"] = row.get(key, "")
    return data


@pytest.fixture
def report_data(users, types):
    """``build(**changes)``: the POST of a complete, valid report by ``staff``; a change of None
    leaves that field out, as a browser does for an unticked box or an empty multi-select."""

    def build(*, action="submit", timeline=None, report=None, **changes):
        """``report``: the post of that report's edit page as opened now (at its current version)."""
        data = {
            "action": action,
            "title": "窓口での長時間の居座り",
            "occurred_start": local(START),
            "occurred_end": local(END),
            "channel": Channel.COUNTER,
            "place": "本庁舎1階 市民課窓口",
            "staff_members": [str(users["staff"].pk)],
            "staff_count": "",
            "counterpart_count": "1",
            "counterpart_name": "",
            "counterpart_sex": "",
            "counterpart_age_band": "",
            "counterpart_contact": "",
            "counterpart_relation": "",
            "counterpart_description": "",
            "demand": "住民票の手数料を無料にすること",
            "conduct": "「納得するまで帰らない」と言い、閉庁時間を過ぎても窓口に座り続けた。",
            "harassment_types": [str(types["long_detention"].pk)],
            "ground_unreasonable_demand": "on",
            "warning_count": "0",
            "exit_request_count": "0",
            "exit_order_count": "0",
            "police_called_at": "",
            "work_minutes_lost": "",
            "harm_detail": "",
            "disability_note": "",
            "remarks": "",
        }
        data.update(timeline_rows(timeline or []))
        if report is not None:
            data["version"] = str(IncidentReport.objects.get(pk=report.pk).version)
        return with_changes(data, changes)

    return build
