"""職員のケア: care for the staff member after an incident (issue 11).

Check-ins the 相談窓口 makes with a staff member whose report records mental harm or asks for
mental-health follow-up, and メンタルケア referrals to the 職員保健室.

It stands alone because its confidentiality rules are its own (``care.policies``), not the case's:
a referral is health information. The 保健室 reads a referral only while the staff member consents,
and then only the parts of the report the staff member chose — never the case page, never the
相談窓口's notes; the 所属長 learns that a referral exists only if the staff member agreed to that
separately, and never its content. Nothing of it is written into the case's own history (which the
所属長 reads): its audit trail is ``CareEvent``.
"""
