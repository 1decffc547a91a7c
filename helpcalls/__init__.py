"""応援要請 (the call for help): a member of staff facing an incident calls the colleagues of their 課
and its 所属長 with one button, and sees who answers 「向かいます」.

It stands alone rather than inside ``incidents`` because a call is not a case: it happens while the
incident is still going on, before any report exists (and often none follows); it lives for minutes
(it leaves the banner after ``KASUHARA_HELP_CALL_MINUTES`` or when the caller closes it); it is read
by the caller's 課, not by the report's policy; and it has its own rate limit and audit trail. It
depends on ``organization`` (who belongs where), ``manual`` (the 態様 of the live view) and
``notifications`` (the urgent notice and its e-mail); no other app depends on it.
"""
