"""Evidence files: what is accepted (judged by content, not by name) and how large."""

from __future__ import annotations

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from . import uploads
from .models import EvidenceKind

#: Accepted content types, as recognised from the file's first bytes, and their kind.
ACCEPTED_TYPES: dict[str, str] = {
    "audio/mpeg": EvidenceKind.AUDIO,
    "audio/mp4": EvidenceKind.AUDIO,
    "audio/x-wav": EvidenceKind.AUDIO,
    "audio/ogg": EvidenceKind.AUDIO,
    "audio/aac": EvidenceKind.AUDIO,
    "audio/x-flac": EvidenceKind.AUDIO,
    "audio/amr": EvidenceKind.AUDIO,
    "image/jpeg": EvidenceKind.IMAGE,
    "image/png": EvidenceKind.IMAGE,
    "image/gif": EvidenceKind.IMAGE,
    "image/webp": EvidenceKind.IMAGE,
    "image/heic": EvidenceKind.IMAGE,
    "application/pdf": EvidenceKind.PDF,
}


def max_upload_bytes() -> int:
    return settings.KASUHARA_MAX_UPLOAD_MB * 1024 * 1024


def detect_type(upload: UploadedFile) -> str | None:
    """The content type read from the file's own bytes, or None if it is not one we accept."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        return None
    return kind.mime


def evidence_error(upload: UploadedFile) -> str | None:
    """A message in Japanese saying why ``upload`` is refused, or None when it is fine."""
    name = upload.name or _("（名前なし）")
    if upload.size == 0:
        return _("「%(name)s」は空のファイルです。") % {"name": name}
    if upload.size > max_upload_bytes():
        return uploads.too_large(name)
    if detect_type(upload) is None:
        return _(
            "「%(name)s」は添付できない形式です。音声（MP3・M4A・WAV など）、画像（JPEG・PNG など）、"
            "PDF のみ添付できます（拡張子ではなくファイルの中身で判定しています）。"
        ) % {"name": name}
    return None
