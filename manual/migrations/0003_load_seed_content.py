"""Load the customer's manual (manual/content/manual.json) and publish it as the first edition.

The ten 態様 come in here, so every database, demo or production, starts with them; admins edit
them afterwards in the Django admin.
"""

from django.db import migrations


def load(apps, schema_editor):
    from manual.services import build_snapshot, load_seed_content

    HarassmentType = apps.get_model("manual", "HarassmentType")
    if HarassmentType.objects.exists():
        return
    load_seed_content(apps.get_model)
    apps.get_model("manual", "CitySettings").objects.get_or_create(pk=1)
    Contact = apps.get_model("manual", "Contact")
    for order, (name, purpose) in enumerate(
        [
            ("総務課（カスハラ相談窓口）", "カスハラに関する相談全般、発生連絡票の提出"),
            ("職員のメンタルケア担当", "カスハラを受けた後の心身の不調の相談"),
            ("顧問弁護士への法律相談（総務課経由）", "法的な問題点・対処内容の確認"),
            ("庁舎管理担当", "退去命令、警備員の要請"),
        ],
        start=1,
    ):
        Contact.objects.create(name=name, purpose=purpose, order=order)
    apps.get_model("manual", "ManualEdition").objects.create(
        note="初版（奥州市カスタマーハラスメント対応マニュアル、港区マニュアルの場面別事例）",
        content=build_snapshot(apps.get_model),
    )


class Migration(migrations.Migration):
    dependencies = [("manual", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
