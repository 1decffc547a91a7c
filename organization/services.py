"""Writes to the organisation that keep more than one row right: succession of abolished 課.

(The 職員名簿 import, which creates and moves 部, 課 and users in bulk, lives in ``roster``.)
"""

from __future__ import annotations

from .models import Section


def refresh_succession() -> int:
    """Set every 課's ``current`` to the end of its successor chain (itself for a 課 with no
    successor); returns how many rows changed. ``Section.clean`` refuses a cycle; should one reach
    the table anyway, each 課 on it stays its own current rather than looping."""
    rows = list(Section.objects.values_list("id", "successor_id", "current_id"))
    successor = {pk: successor_id for pk, successor_id, _c in rows}
    changed = []
    for pk, _s, current_id in rows:
        seen = {pk}
        end = pk
        while successor.get(end) is not None and successor[end] not in seen:
            end = successor[end]
            seen.add(end)
        if successor.get(end) is not None:  # a cycle
            end = pk
        if end != current_id:
            changed.append(Section(pk=pk, current_id=end))
    if changed:
        Section.objects.bulk_update(changed, ["current"], batch_size=500)
    return len(changed)
