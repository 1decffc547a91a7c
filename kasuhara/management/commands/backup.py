"""``manage.py backup DIR``: the database and the evidence files together, with a manifest.

Writes into DIR (created; must be empty): ``database.dump`` (PostgreSQL: ``pg_dump -Fc``) or
``database.sqlite3`` (SQLite, the demo: SQLite's online backup), ``uploads.tar`` (every file under
the storage folder, ``KASUHARA_UPLOAD_DIR``) and ``manifest.json`` (when, which database, the
files' sizes and SHA-256, how many uploads). The database is dumped first and the files are read
after it: files are written before the row that names them is committed and deleted only after
the row's deletion is committed, so every file the dump names is in the tar (the tar may hold a
few newer files nobody names, which is harmless). Everything in DIR is personal data: the files
are created readable by their owner only; encrypt and keep them like the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
UPLOADS = "uploads.tar"
PG_DUMP = "database.dump"
SQLITE = "database.sqlite3"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection options for pg_dump / pg_restore, and the environment carrying the password."""
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def upload_root() -> Path:
    location = getattr(storages["default"], "location", None)
    if not location:
        raise CommandError("The default storage is not a folder on this server (FileSystemStorage).")
    return Path(location)


class Command(BaseCommand):
    help = "Back up the database and the evidence files together into DIR, with a manifest of checksums."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory: str, **options):
        target = Path(directory)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty: give a new folder for each backup.")
        old_umask = os.umask(0o077)
        try:
            target.mkdir(parents=True, exist_ok=True)
            started = timezone.now()
            database = self._dump_database(target)
            uploads, count = self._tar_uploads(target)
            files = {name: {"size": (target / name).stat().st_size, "sha256": sha256(target / name)}
                     for name in (database, uploads)}
            manifest = {
                "format": 1,
                "created_at": started.isoformat(),
                "finished_at": timezone.now().isoformat(),
                "database": {"vendor": connection.vendor, "file": database},
                "uploads": {"file": uploads, "count": count},
                "files": files,
            }
            (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        finally:
            os.umask(old_umask)
        self.stdout.write(f"Backed up the database and {count} files to {target}")

    def _dump_database(self, target: Path) -> str:
        settings_dict = connection.settings_dict
        if connection.vendor == "postgresql":
            args, env = pg_args(settings_dict)
            command = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(target / PG_DUMP),
                       settings_dict["NAME"]]
            result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 (no shell; our own settings)
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            return PG_DUMP
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            destination = sqlite3.connect(target / SQLITE)
            try:
                connection.connection.backup(destination)
            finally:
                destination.close()
            return SQLITE
        raise CommandError(f"Backing up {connection.vendor} is not supported: use the database's own tools.")

    def _tar_uploads(self, target: Path) -> tuple[str, int]:
        root = upload_root()
        count = 0
        with tarfile.open(target / UPLOADS, "w") as archive:
            if root.exists():
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
                        count += 1
        return UPLOADS, count
