"""The measures a decision chooses from, and the two letters it may call for (the admin edits both)."""

from django.db import migrations

MEASURES = [
    ("warning_letter", "文書による警告", "", "warning"),
    ("ban", "出入禁止", "ban", "ban"),
    ("single_handler", "対応窓口の一本化", "single_handler", ""),
    ("time_limit", "対応時間の制限", "time_limit", ""),
    ("legal_advice", "法律相談", "", ""),
    ("police", "警察への相談・被害届", "", ""),
    ("staff_care", "職員のケア", "", ""),
    ("monitoring", "継続監視", "", ""),
    ("none", "措置なし", "", ""),
]

WARNING = """{date}

{counterpart_name} 様

{mayor}

警告書

{incident_date}、{city}の窓口等において、あなたが行った次の言動は、職員に対する著しい迷惑行為であり、{city}カスタマーハラスメント対策基本方針に照らし、容認することができません。

{facts}

今後、同様の言動を繰り返さないよう、ここに警告します。同様の行為が続く場合は、{article}に基づく庁舎への立入りの禁止、警察への相談その他の法的措置をとることがあります。
"""

BAN = """{date}

{counterpart_name} 様
（{counterpart_address}）

{mayor}

庁舎への立入禁止について（通知）

{incident_date}以降、あなたが{city}の庁舎において行った次の言動は、庁舎の秩序を乱し、職員の業務を著しく妨げるものです。

{facts}

このため、{article}に基づき、次のとおり庁舎への立入りを禁止します。

期間　{period}

なお、行政手続上必要な申請等は、書面又は郵送により行ってください。
"""


def load(apps, schema_editor):
    MeasureType = apps.get_model("committee", "MeasureType")
    LetterTemplate = apps.get_model("committee", "LetterTemplate")
    for position, (code, name, counterpart_measure, letter) in enumerate(MEASURES, start=1):
        MeasureType.objects.update_or_create(code=code, defaults={
            "name": name, "position": position, "counterpart_measure": counterpart_measure, "letter": letter,
        })
    LetterTemplate.objects.update_or_create(code="warning", defaults={
        "title": "警告書", "body": WARNING, "mayor_title": "奥州市長", "article": "奥州市庁舎管理規則第5条",
    })
    LetterTemplate.objects.update_or_create(code="ban", defaults={
        "title": "庁舎への立入禁止について（通知）", "body": BAN, "mayor_title": "奥州市長",
        "article": "奥州市庁舎管理規則第5条",
    })


class Migration(migrations.Migration):
    dependencies = [("committee", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
