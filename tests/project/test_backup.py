"""Backup and restore (``manage.py backup DIR`` / ``manage.py restore DIR``): a backup of a database
with a report and its evidence, restored into a new, empty PostgreSQL database and an empty
storage folder by a separate process (as the city's IT section would run it), reads the report
and its evidence back byte for byte."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tests.helpers import require_or_fail, uses_postgres

ROOT = Path(__file__).resolve().parents[2]
#: A real (tiny) PNG: the evidence file that must come back unchanged.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c63600000000200015e2a7f310000000049454e44ae426082"
)


@contextmanager
def fresh_database():
    """A new, empty PostgreSQL database beside the test database; dropped afterwards."""
    import psycopg2

    settings_dict = connection.settings_dict
    name = f"kasuhara_restore_{uuid.uuid4().hex[:8]}"
    params = {"host": settings_dict["HOST"] or "127.0.0.1", "port": settings_dict["PORT"] or 5432,
              "user": settings_dict["USER"] or "postgres", "password": settings_dict["PASSWORD"] or None,
              "dbname": "postgres"}
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{params['password']}" if params["password"] else ""
    try:
        yield f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(*args: str, database_url: str, upload_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "KASUHARA_UPLOAD_DIR": str(upload_dir)}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


READ_BACK = """
from incidents.models import IncidentReport
import hashlib
import io
report = IncidentReport.objects.get(pk={pk})
attachment = report.attachments.get()
with attachment.file.open("rb") as handle:
    print(report.title)
    print(attachment.original_name, hashlib.sha256(handle.read()).hexdigest())
"""


def test_a_backup_restored_into_an_empty_database_and_folder_reads_back(transactional_db, tmp_path):
    require_or_fail(uses_postgres(), "PostgreSQL")
    from demo.management.commands.load_demo import Command
    from incidents.lifecycle import Status
    from incidents.models import Attachment, IncidentReport

    command = Command()
    users = command._users(command._organisation())
    staff = users["staff"]
    report = IncidentReport.objects.create(reporter=staff, section=staff.section, status=Status.SUBMITTED,
                                           title="窓口で「馬鹿野郎」と怒鳴られた", submitted_at=timezone.now())
    attachment = Attachment(report=report, uploaded_by=staff, uploaded_at=timezone.now(), original_name="録音.png",
                            content_type="image/png", kind="image", size=len(PNG))
    attachment.file.save("x", ContentFile(PNG), save=False)
    attachment.save()

    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"] == {"vendor": "postgresql", "file": "database.dump"}
    assert manifest["uploads"]["count"] == 1
    # Personal data: readable by the owner only.
    assert all(((backup / name).stat().st_mode & 0o077) == 0 for name in manifest["files"])

    restored = tmp_path / "restored-uploads"
    with fresh_database() as url:
        done = manage("restore", str(backup), database_url=url, upload_dir=restored)
        assert done.returncode == 0, done.stderr
        read = manage("shell", "--no-imports", "-c", READ_BACK.format(pk=report.pk), database_url=url, upload_dir=restored)
        assert read.returncode == 0, read.stderr
        assert read.stdout.splitlines() == ["窓口で「馬鹿野郎」と怒鳴られた", f"録音.png {hashlib.sha256(PNG).hexdigest()}"]
        # Never over live data: the same restore again is refused (the database has tables now).
        again = manage("restore", str(backup), database_url=url, upload_dir=tmp_path / "empty")
        assert again.returncode != 0 and "already has tables" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_restored(db, tmp_path, settings):
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    with (backup / "uploads.tar").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(CommandError, match="differs from the manifest"):
        call_command("restore", str(backup))
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(backup))

