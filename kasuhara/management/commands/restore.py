"""``manage.py restore DIR``: put a backup made by ``manage.py backup`` back, into an empty database
and an empty storage folder (``KASUHARA_UPLOAD_DIR``).

Checks every file against the manifest's SHA-256 first and stops at the first difference; refuses
a database that already has tables, or a storage folder that already has files (it never mixes a
backup with live data). PostgreSQL: ``pg_restore --no-owner --no-privileges --exit-on-error``
into the database of ``DATABASE_URL`` (create it first: ``createdb``); SQLite: copies the file to
the configured path. Then the files are unpacked (only plain files, under the folder).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import MANIFEST, PG_DUMP, SQLITE, pg_args, sha256, upload_root


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database and an empty storage folder."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory: str, **options):
        source = Path(directory)
        try:
            manifest = json.loads((source / MANIFEST).read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"No readable {MANIFEST} in {source}: {error}") from None
        for name, expected in manifest["files"].items():
            path = source / name
            if not path.is_file() or sha256(path) != expected["sha256"]:
                raise CommandError(f"{name} is missing or differs from the manifest: the backup is damaged.")
        root = upload_root()
        if root.exists() and any(p.is_file() for p in root.rglob("*")):
            raise CommandError(f"The storage folder {root} already holds files: restore into an empty one.")
        if connection.introspection.table_names():
            raise CommandError("The database already has tables: restore into an empty database (createdb).")
        self._restore_database(source, manifest["database"])
        count = self._unpack(source / manifest["uploads"]["file"], root)
        if count != manifest["uploads"]["count"]:
            raise CommandError(f"{count} files unpacked, the manifest says {manifest['uploads']['count']}.")
        self.stdout.write(f"Restored the database and {count} files from {source}")

    def _restore_database(self, source: Path, database: dict) -> None:
        if database["vendor"] != connection.vendor:
            raise CommandError(f"The backup is of {database['vendor']}, this database is {connection.vendor}.")
        settings_dict = connection.settings_dict
        if connection.vendor == "postgresql" and database["file"] == PG_DUMP:
            args, env = pg_args(settings_dict)
            command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args,
                       "-d", settings_dict["NAME"], str(source / PG_DUMP)]
            result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 (no shell; our own settings)
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
            return
        if connection.vendor == "sqlite" and database["file"] == SQLITE:
            connection.close()
            shutil.copyfile(source / SQLITE, settings_dict["NAME"])
            return
        raise CommandError(f"Cannot restore {database['file']} into {connection.vendor}.")

    def _unpack(self, archive_path: Path, root: Path) -> int:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        count = 0
        with tarfile.open(archive_path) as archive:
            members = [m for m in archive.getmembers() if m.isfile()]
            archive.extractall(root, members=members, filter="data")
            count = len(members)
        # As the upload settings make them: readable by the app's own user only.
        for path in root.rglob("*"):
            path.chmod(0o700 if path.is_dir() else 0o600)
        return count
