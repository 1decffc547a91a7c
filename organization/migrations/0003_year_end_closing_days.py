"""The city's 年末年始 (29 Dec – 3 Jan, 休日条例) as recurring closing days; admins edit them afterwards."""

from django.db import migrations

YEAR_END = [(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)]


def load(apps, schema_editor):
    ClosingDay = apps.get_model("organization", "ClosingDay")
    for month, day in YEAR_END:
        ClosingDay.objects.get_or_create(month=month, day=day, defaults={"name": "年末年始"})


class Migration(migrations.Migration):
    dependencies = [("organization", "0002_closingday")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
