"""Requests for help the seeds describe: the 法律相談依頼 to the 総務課 (文書係) and the 庁舎管理 request
to the 課 that manages the building (Minato's 契約管財課).

It stands alone, beside ``incidents``, because its records go to people who are not the case's
readers — the 総務課 that arranges the lawyer, the 所属長 of the 課 that manages the building — and
so have their own access rule (``support.policies``: the building 課 reads the request, never the
whole case), their own small state tables and their own audit trail (``SupportEvent``). It reads
``incidents`` (the case and its policy) and writes notices through ``notifications``; neither of
them knows about it. The case page shows a case's requests through one template tag
(``support_tags.case_support_requests``).
"""
