"""Who may hold which role in the organisation: the rules the admin screens and the 職員名簿 import
both apply (one function each, so the two cannot disagree).

- One 所属長 or several per 課 (``KASUHARA_SECTION_CHIEFS``: ``several`` — 課長 and 係長 alike hold
  the role — or ``one``): in ``one`` mode a second holder in the same 課 is refused
  (``chief_conflict``); a 代理 for a period (``ActingAssignment``) is possible either way and does
  not count as a holder.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from django.utils.translation import gettext as _

from .models import Section, User, one_chief_per_section


def chief_conflict(user: User, section: Section | int | None) -> User | None:
    """The active 所属長 of ``section`` who stands in the way of ``user`` holding the role there too,
    when the city allows one per 課 (``one_chief_per_section()``); None when nothing does (several
    allowed, no other holder, or no 課). ``user`` may be unsaved (a new account)."""
    section_id = section.pk if isinstance(section, Section) else section
    if section_id is None or not one_chief_per_section():
        return None
    holders = User.objects.filter(section_id=section_id, is_section_chief=True, is_active=True)
    if user.pk is not None:
        holders = holders.exclude(pk=user.pk)
    return holders.order_by("pk").first()


def chief_taken_message(section, holder) -> str:
    """Why a second 所属長 is refused (the admin's role page and the 名簿 import say the same)."""
    return _("%(section)s の所属長はすでに %(holder)s さんです。この市では所属長は一つの課に一人です。"
             "先に %(holder)s さんの「所属長」を外してください。") % {"section": section, "holder": holder}


def second_chiefs(claims: Iterable[tuple[Hashable, object]]) -> list[tuple[object, object]]:
    """The same rule over many people at once (the 名簿 import plans a whole file): ``claims`` are
    (課, who) in the order they count — holders who stay first — and the answer is each refused
    claim with the holder who came first, [(who, holder), …]; none when several are allowed."""
    if not one_chief_per_section():
        return []
    first: dict[Hashable, object] = {}
    refused = []
    for section, who in claims:
        if section in first:
            refused.append((who, first[section]))
        else:
            first[section] = who
    return refused
