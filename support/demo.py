"""The demo's requests for help (``manage.py load_demo`` calls ``load``), made through the services so
their history and notices are real; and the lookups the page list of the accessibility test uses."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from incidents.models import IncidentReport
from organization.models import Section, User

from . import services
from .models import BuildingRequest, LegalRequest

#: The 課 that manages the building in the demo (Minato's 契約管財課).
BUILDING_SECTION = "契約管財課"
LEGAL_CASE = "書類を投げつけられた"
BUILDING_CASE = "窓口での長時間の居座り"


#: The 所属長 of that 課, who answers 庁舎管理 requests in the demo.
BUILDING_CHIEF = ("kanzai", "契約管財 課長")


def building_chief() -> User | None:
    """The demo's 所属長 of 契約管財課 (password ``kasuhara-demo``), made on first use."""
    from demo.management.commands.load_demo import DEMO_PASSWORD  # the loader imports this module

    section = Section.objects.filter(name=BUILDING_SECTION).first()
    if section is None:
        return None
    username, display = BUILDING_CHIEF
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display, section=section, is_section_chief=True,
                    email=f"{username}@example.lg.jp")
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def load(users: dict[str, User]) -> None:
    """契約管財課 manages the building and has a 所属長 (``kanzai``); one 法律相談依頼 (asked by the
    相談窓口, its date and lawyer set by the 総務課長) and one 庁舎管理 request (asked by the 所属長
    of 市民課, awaiting the answer of 契約管財課). Running it twice changes nothing."""
    Section.objects.filter(name=BUILDING_SECTION).update(manages_building=True)
    building_chief()
    legal_case = IncidentReport.objects.filter(title=LEGAL_CASE).first()
    if legal_case is not None and not LegalRequest.objects.filter(report=legal_case).exists():
        legal = services.request_legal(
            actor=users["desk"], report=legal_case,
            background="窓口で申請書類の束を職員に投げつけ、「ふざけるな」と怒鳴った。同じ方から以前にも電話で長時間の要求がある。",
            planned_response="対策委員会の決定に基づき、文書で警告し、次に同様の行為があれば庁舎への出入りを禁止する。",
            legal_issues="警告書の表現に問題はないか。出入禁止を庁舎管理規則に基づいて命じる場合の範囲と期間、手続はどうすべきか。",
        )
        scheduled = timezone.localtime() + timedelta(days=7)
        services.arrange_legal(request=legal, actor=users["gachief"], lawyer="中央法律事務所 山本 一郎 弁護士",
                               scheduled_at=scheduled.replace(hour=10, minute=0, second=0, microsecond=0),
                               venue="本庁舎3階 第2会議室")
    building_case = IncidentReport.objects.filter(title=BUILDING_CASE).first()
    if building_case is not None and not BuildingRequest.objects.filter(report=building_case).exists():
        services.request_building(
            actor=users["chief"], report=building_case, place="本庁舎1階 市民課窓口", guard=True, exit_order=True,
            details="閉庁時間を過ぎても窓口に座り続け、退去を3回求めても応じない。次に来庁したときは警備員の立会いと、"
                    "庁舎管理規則に基づく退去命令をお願いしたい。",
        )


def legal_request_id() -> int:
    return LegalRequest.objects.values_list("pk", flat=True).get(report__title=LEGAL_CASE)


def building_request_id() -> int:
    return BuildingRequest.objects.values_list("pk", flat=True).get(report__title=BUILDING_CASE)
