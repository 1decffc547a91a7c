"""Who may do what with the manual: everyone signed in reads the published edition; admins
(Django staff with the manual permissions) edit the draft, preview it and publish."""

from __future__ import annotations


def may_preview_draft(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm("manual.change_harassmenttype"))


def may_publish(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm("manual.add_manualedition"))
