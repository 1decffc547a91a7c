"""Nothing of the care records is in the admin, on purpose.

A referral is health information, and even a list of who was referred, or of who has check-ins,
tells the 管理者 about a colleague's health; the 管理者 reads nothing by being admin (README, 「Who
sees what」). The 相談窓口, the staff member and the 保健室 use the app's own pages; the audit
trail (``CareEvent``) stays in the database for an audit that has its own rules.
"""
