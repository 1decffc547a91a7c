"""Every kind of notice the product sends, with its defaults: the one place that says what is sent,
to whom, after how many days, and where its link leads.

The defaults below are loaded into ``NoticeRule`` rows (one per kind, by a migration and again by
``rules.rule_for`` if a row is missing); the admin edits those rows — recipients, days, on/off —
and the code reads the rows, never these defaults directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REPORT_SUBMITTED = "report_submitted", _("発生連絡票の提出")
    REPORT_URGENT = "report_urgent", _("至急：暴力・威嚇・脅迫・警察通報のある連絡票")
    UNACCEPTED_1 = "unaccepted_1", _("未受付の連絡票（第1段階）")
    UNACCEPTED_2 = "unaccepted_2", _("未受付の連絡票（第2段階）")
    UNACCEPTED_3 = "unaccepted_3", _("未受付の連絡票（第3段階）")
    REPORT_RETURNED = "report_returned", _("連絡票の差戻し")
    AGENDA_ADDED = "agenda_added", _("委員会の議題への追加")
    MEETING_REMINDER = "meeting_reminder", _("委員会の前日のお知らせ")
    DECISION_FINALISED = "decision_finalised", _("対応方針の決定")
    MEASURE_ASSIGNED = "measure_assigned", _("措置の担当")
    MEASURE_OVERDUE = "measure_overdue", _("期限を過ぎた措置（担当者へ）")
    MEASURE_OVERDUE_CHAIR = "measure_overdue_chair", _("期限を過ぎた措置（委員長へ）")
    COUNTERPART_REPEAT = "counterpart_repeat", _("同じ相手方の再度の報告")
    CONSULTATION_CREATED = "consultation_created", _("相談の受付")
    CONSULTATION_ANSWERED = "consultation_answered", _("相談への回答")
    HELP_CALL = "help_call", _("至急：応援要請")
    HELP_ANSWERED = "help_answered", _("応援要請への応答")
    CARE_CHECKIN_DUE = "care_checkin_due", _("職員へのフォローの期日")
    CARE_REFERRAL = "care_referral", _("メンタルケアの紹介（職員保健室へ）")
    CARE_REFERRAL_PROPOSED = "care_referral_proposed", _("保健室への紹介の提案（本人へ）")
    CARE_REFERRAL_ANSWERED = "care_referral_answered", _("保健室への紹介への本人の回答")
    LEGAL_REQUEST = "legal_request", _("法律相談の依頼")
    LEGAL_REQUEST_UPDATED = "legal_request_updated", _("法律相談の日程・結果")
    BUILDING_REQUEST = "building_request", _("庁舎管理への依頼")
    BUILDING_REQUEST_ANSWERED = "building_request_answered", _("庁舎管理からの回答")
    ROLE_CHANGED = "role_changed", _("役割の変更")


class Audience(models.TextChoices):
    """Who a rule may name. Each is resolved in SQL against the row that caused the notice
    (``outbox.AUDIENCE_SQL``): the 所属長 of *that* report's 課, the 部長 of *its* 部, and so on."""

    DESK = "desk", _("相談窓口")
    SECTION_CHIEF = "section_chief", _("報告者の課の所属長")
    DIRECTOR = "director", _("報告者の部の部長")
    GA_SECTION_CHIEF = "ga_section_chief", _("総務課長")
    GA_DIRECTOR = "ga_director", _("総務部長")
    COMMITTEE_CHAIR = "committee_chair", _("対策委員長")
    REPORTER = "reporter", _("報告者")
    PERSON = "person", _("本人（招集された委員・措置の担当者・相談者・依頼者）")
    COLLEAGUES = "colleagues", _("同じ課の職員")
    HEALTH_OFFICE = "health_office", _("職員保健室")
    BUILDING_SECTION = "building_section", _("庁舎を管理する課の所属長")
    ADMINS = "admins", _("管理者")


A = Audience
#: The audiences that do not depend on a particular person of the case.
ROLE_AUDIENCES = (A.DESK, A.SECTION_CHIEF, A.DIRECTOR, A.GA_SECTION_CHIEF, A.GA_DIRECTOR, A.COMMITTEE_CHAIR)


@dataclass(frozen=True)
class KindSpec:
    """``subject``: a format string over the notice's params; ``link``: (URL name, param) of the page
    the notice leads to; ``audiences``: the default recipients; ``allowed``: what the admin may
    choose; ``days``: the default threshold (business days, or calendar days where ``days_label``
    says so), None where the kind has none; ``urgent``: always by e-mail too, marked 至急."""

    subject: str
    link: tuple[str, str]
    audiences: tuple[str, ...]
    allowed: tuple[str, ...]
    days: int | None = None
    days_label: str = ""
    urgent: bool = False


SPECS: dict[str, KindSpec] = {
    Kind.REPORT_SUBMITTED: KindSpec(
        _("発生連絡票が提出されました（No.%(report)s）"), ("incidents:detail", "report"),
        (A.DESK, A.SECTION_CHIEF), (*ROLE_AUDIENCES,),
    ),
    Kind.REPORT_URGENT: KindSpec(
        _("【至急】暴力・威嚇等のある発生連絡票が提出されました（No.%(report)s）"), ("incidents:detail", "report"),
        (A.DESK, A.SECTION_CHIEF, A.GA_SECTION_CHIEF, A.COMMITTEE_CHAIR), (*ROLE_AUDIENCES,), urgent=True,
    ),
    # The escalation of a report nobody accepts: the 相談窓口, then the 総務課長, then the 総務部長.
    **{
        kind: KindSpec(
            _("受け付けられていない発生連絡票があります（No.%(report)s・%(days)s開庁日経過）"),
            ("incidents:detail", "report"), (audience,), (*ROLE_AUDIENCES,), days=days,
            days_label=_("提出から何開庁日後"),
        )
        for kind, audience, days in (
            (Kind.UNACCEPTED_1, A.DESK, 1), (Kind.UNACCEPTED_2, A.GA_SECTION_CHIEF, 2), (Kind.UNACCEPTED_3, A.GA_DIRECTOR, 3),
        )
    },
    Kind.REPORT_RETURNED: KindSpec(
        _("発生連絡票が差し戻されました（No.%(report)s）"), ("incidents:detail", "report"),
        (A.REPORTER,), (A.REPORTER, *ROLE_AUDIENCES),
    ),
    Kind.AGENDA_ADDED: KindSpec(
        _("対策委員会の議題に事案が加わりました（%(date)s・No.%(report)s）"), ("committee:meeting", "meeting"),
        (A.PERSON,), (A.PERSON, A.DESK, A.COMMITTEE_CHAIR),
    ),
    Kind.MEETING_REMINDER: KindSpec(
        _("明日（次の開庁日）は対策委員会です（%(date)s）"), ("committee:meeting", "meeting"),
        (A.PERSON,), (A.PERSON, A.DESK, A.COMMITTEE_CHAIR),
    ),
    Kind.DECISION_FINALISED: KindSpec(
        _("対策委員会で対応方針が決まりました（No.%(report)s）"), ("incidents:detail", "report"),
        (A.REPORTER, A.SECTION_CHIEF), (A.REPORTER, *ROLE_AUDIENCES),
    ),
    Kind.MEASURE_ASSIGNED: KindSpec(
        _("措置の担当になりました（No.%(report)s・期限 %(due)s）"), ("committee:measure", "measure"),
        (A.PERSON,), (A.PERSON, A.DESK, A.COMMITTEE_CHAIR),
    ),
    Kind.MEASURE_OVERDUE: KindSpec(
        _("措置の期限を過ぎています（No.%(report)s・期限 %(due)s）"), ("committee:measure", "measure"),
        (A.PERSON,), (A.PERSON, A.DESK, A.COMMITTEE_CHAIR),
    ),
    Kind.MEASURE_OVERDUE_CHAIR: KindSpec(
        _("期限を過ぎた措置が終わっていません（No.%(report)s・期限 %(due)s）"), ("committee:measure", "measure"),
        (A.COMMITTEE_CHAIR,), (A.PERSON, A.DESK, A.COMMITTEE_CHAIR), days=3, days_label=_("期限から何開庁日後"),
    ),
    Kind.COUNTERPART_REPEAT: KindSpec(
        _("同じ相手方について再び報告がありました（No.%(report)s）"), ("incidents:detail", "report"),
        (A.DESK,), (A.DESK, A.GA_SECTION_CHIEF, A.COMMITTEE_CHAIR), days=90, days_label=_("前の報告から何日以内（暦日）"),
    ),
    Kind.CONSULTATION_CREATED: KindSpec(
        _("相談が届きました（相談No.%(consultation)s）"), ("consultations:detail", "consultation"),
        (A.DESK, A.SECTION_CHIEF), (A.DESK, A.SECTION_CHIEF, A.DIRECTOR),
    ),
    Kind.CONSULTATION_ANSWERED: KindSpec(
        _("相談窓口から回答がありました（相談No.%(consultation)s）"), ("consultations:detail", "consultation"),
        (A.PERSON,), (A.PERSON,),
    ),
    Kind.HELP_CALL: KindSpec(
        _("【至急】応援要請：%(place)s"), ("helpcalls:detail", "call"),
        (A.COLLEAGUES, A.SECTION_CHIEF), (A.COLLEAGUES, A.SECTION_CHIEF, A.DIRECTOR, A.DESK), urgent=True,
    ),
    Kind.HELP_ANSWERED: KindSpec(
        _("応援要請に応答がありました（%(place)s）"), ("helpcalls:detail", "call"), (A.PERSON,), (A.PERSON,),
    ),
    Kind.CARE_CHECKIN_DUE: KindSpec(
        _("職員へのフォローの期日です（No.%(report)s）"), ("care:checkin", "checkin"), (A.DESK,), (A.DESK,),
    ),
    Kind.CARE_REFERRAL: KindSpec(
        _("メンタルケアの紹介が届きました（紹介No.%(referral)s）"), ("care:referral", "referral"),
        (A.HEALTH_OFFICE,), (A.HEALTH_OFFICE,),
    ),
    Kind.CARE_REFERRAL_PROPOSED: KindSpec(
        _("職員保健室へのご紹介について、ご意向をお聞かせください（紹介No.%(referral)s）"), ("care:consent", "referral"),
        (A.PERSON,), (A.PERSON,),
    ),
    Kind.CARE_REFERRAL_ANSWERED: KindSpec(
        _("保健室への紹介に本人が回答しました（紹介No.%(referral)s）"), ("care:referral", "referral"),
        (A.DESK,), (A.DESK,),
    ),
    Kind.LEGAL_REQUEST: KindSpec(
        _("法律相談の依頼が届きました（No.%(report)s）"), ("support:legal", "request"),
        (A.GA_SECTION_CHIEF,), (A.GA_SECTION_CHIEF, A.DESK, A.GA_DIRECTOR),
    ),
    Kind.LEGAL_REQUEST_UPDATED: KindSpec(
        _("法律相談の依頼が進みました（No.%(report)s）"), ("support:legal", "request"), (A.PERSON,), (A.PERSON, A.DESK),
    ),
    Kind.BUILDING_REQUEST: KindSpec(
        _("庁舎管理の依頼が届きました（%(place)s）"), ("support:building", "request"),
        (A.BUILDING_SECTION,), (A.BUILDING_SECTION, A.DESK),
    ),
    Kind.BUILDING_REQUEST_ANSWERED: KindSpec(
        _("庁舎管理の依頼に回答がありました（%(place)s）"), ("support:building", "request"), (A.PERSON,), (A.PERSON,),
    ),
    # Separation of duties: the 相談窓口 and the other admins hear of every role granted or withdrawn
    # (the notice names the person and the role, nothing else; no link: the admin's 役割の変更 shows it).
    Kind.ROLE_CHANGED: KindSpec(
        _("役割が変更されました（%(person)s・%(role)s・%(change)s）"), ("", "none"),
        (A.DESK, A.ADMINS), (A.DESK, A.ADMINS),
    ),
}

#: Kinds in the order the settings pages list them.
ORDER = list(Kind.values)
