"""Organisation and accounts: 部 (departments), 課 (sections), users and their roles.

A separate app because every other app depends on it and it depends on none of them: who belongs
where and who holds which role is asked by the report policy, the queue, the committee and the
notices alike.
"""
