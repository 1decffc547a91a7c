"""Bounds on evidence uploads, applied while the request body is read.

Django stores every uploaded file of a request before a view sees it; without a bound, one small
form could park gigabytes on the server. ``EvidenceQuotaHandler`` runs first among the upload
handlers: a file beyond the per-file size, or beyond what one report may carry (files and bytes),
is skipped as it arrives — the rest of its bytes are read and dropped, never stored — and named in
``request.evidence_refusals`` so the form can say so beside its field. Limits per user across
forms (files staged but not yet attached) are checked by ``services.keep_uploads``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _


def max_file_bytes() -> int:
    return settings.KASUHARA_MAX_UPLOAD_MB * 1024 * 1024


def max_report_files() -> int:
    return settings.KASUHARA_MAX_FILES_PER_REPORT


def max_report_bytes() -> int:
    return settings.KASUHARA_MAX_REPORT_UPLOAD_MB * 1024 * 1024


def too_many_files(name: str) -> str:
    return _("「%(name)s」は添付できませんでした（1件の連絡票に添付できるのは %(n)s ファイルまでです）。") % {
        "name": name, "n": max_report_files(),
    }


def too_many_bytes(name: str) -> str:
    return _("「%(name)s」は添付できませんでした（1件の連絡票に添付できるのは合計 %(mb)s MB までです）。") % {
        "name": name, "mb": settings.KASUHARA_MAX_REPORT_UPLOAD_MB,
    }


def too_large(name: str) -> str:
    return _("「%(name)s」は大きすぎます（1ファイル %(limit)s MB まで）。") % {
        "name": name, "limit": settings.KASUHARA_MAX_UPLOAD_MB,
    }


class EvidenceQuotaHandler(FileUploadHandler):
    """Skips files past the per-file and per-request limits before they are stored."""

    def __init__(self, request=None):
        super().__init__(request)
        self.files = 0
        self.total = 0
        self.current = 0
        self.refusals: list[str] = []
        if request is not None:
            request.evidence_refusals = self.refusals

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files += 1
        self.current = 0

    def receive_data_chunk(self, raw_data, start):
        self.current += len(raw_data)
        if self.files > max_report_files():
            self._refuse(too_many_files(self.file_name))
        if self.current > max_file_bytes():
            self._refuse(too_large(self.file_name))
        if self.total + self.current > max_report_bytes():
            self._refuse(too_many_bytes(self.file_name))
        return raw_data

    def file_complete(self, file_size):
        self.total += self.current
        return None

    def _refuse(self, message: str):
        self.files -= 1
        self.refusals.append(message)
        raise SkipFile
