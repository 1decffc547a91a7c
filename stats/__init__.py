"""The city's numbers (issue 12): the dashboard at /stats/ and the annual report
「カスハラ発生状況報告（令和N年度）」.

It stands alone because it only reads: it counts the records of ``incidents``, ``consultations``,
``counterparts``, ``committee`` and ``care`` (and shows the staff survey's results from ``surveys``)
and none of them knows about it. Its access rule is its own (``stats.policies``): a 課 or 部 sees
its own numbers, with small counts hidden where they could point at a person. Its one table of its
own is the annual report, a snapshot that is locked once finalised.
"""
