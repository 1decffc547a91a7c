"""One way to compare Japanese text typed by different people: full-width and half-width forms
alike (ＡＢＣ１２３ = ABC123, ｶﾀｶﾅ = カタカナ), Latin case ignored; and, for names, phone numbers and
addresses, spaces and dashes ignored too (山田　太郎 = 山田太郎, ０３－１２３４ = 03-1234 = 031234)."""

from __future__ import annotations

import re
import unicodedata

_SPACES_AND_DASHES = re.compile(r"[\s\-‐‑‒–—―−－]+")


def fold(text: str) -> str:
    """NFKC (full/half width) and casefold: for substring search in free text."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def fold_compact(text: str) -> str:
    """``fold`` without spaces and dashes: for matching names, phone numbers and addresses."""
    return _SPACES_AND_DASHES.sub("", fold(text))
